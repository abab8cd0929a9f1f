"""In-memory fakes of the conversations ports; they pass the same contract as SQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.conversations import (
    ConversationAccess,
    ConversationMembers,
    ConversationPeer,
    ConversationSummary,
    Delivered,
    DeliveryReceipt,
    MessageModerator,
    MessageRepository,
    RealtimeFanout,
)
from saltbitter.application.ports.matching import StoredMatch
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.conversations import (
    Message,
    MessageCursor,
    ModerationDecision,
    Screening,
    screen_text,
)
from saltbitter.domain.errors import Conflict, Unavailable
from saltbitter.domain.shared import DELETED_MEMBER, Tier, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_matching import MatchingState
from saltbitter.testing.fakes_safety import SafetyState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "ConversationsState",
    "InMemoryConversationAccess",
    "InMemoryMessageModerator",
    "InMemoryMessageRepository",
    "InMemoryRealtimeFanout",
    "conversation_is_open",
    "history_kept",
]


@dataclass
class ConversationsState:
    messages: dict[UUID, Message] = field(default_factory=dict)

    def check(self) -> None:
        # An erased sender is null in SQL, and nulls never collide.
        keys = [
            (m.sender_id, m.client_message_id)
            for m in self.messages.values()
            if m.sender_id != DELETED_MEMBER
        ]
        if len(keys) != len(set(keys)):
            raise Conflict("The message exists already.", code="message_exists")


def conversation_is_open(
    match: StoredMatch, safety: SafetyState, accounts: AccountsState | None = None
) -> bool:
    """The in-memory twin of the SQL adapter's one "is it open" rule: not unmatched, no
    block between the two members in either direction, neither awaiting erasure."""
    first, second = match.pair.first, match.pair.second
    blocked = (first, second) in safety.blocks or (second, first) in safety.blocks
    leaving = accounts is not None and any(
        (user := accounts.users.get(member)) is not None
        and user.status is AccountStatus.PENDING_DELETION
        for member in (first, second)
    )
    erased = DELETED_MEMBER in match.pair
    return match.active and not blocked and not leaving and not erased


def history_kept(match: StoredMatch) -> bool:
    """The in-memory twin of the SQL ``history_kept``: one member erased while the match
    was open (ADR 0035)."""
    return match.active and DELETED_MEMBER in match.pair


def _cursor(message: Message) -> MessageCursor:
    return MessageCursor.of(message)


class _OnConversations(InMemoryRepository):
    @property
    def _state(self) -> ConversationsState:
        return self._connection.state(ConversationsState)


class InMemoryMessageRepository(_OnConversations, MessageRepository):
    async def get(self, message_id: UUID) -> Message | None:
        return self._state.messages.get(message_id)

    async def by_client_id(self, sender: UserId, client_message_id: str) -> Message | None:
        return next(
            (
                m
                for m in self._state.messages.values()
                if m.sender_id == sender and m.client_message_id == client_message_id
            ),
            None,
        )

    async def history(
        self, match_id: UUID, viewer: UserId, before: MessageCursor | None, limit: int
    ) -> list[Message]:
        found = sorted(
            (
                m
                for m in self._state.messages.values()
                if m.match_id == match_id
                and m.visible_to(viewer)
                and (before is None or _cursor(m) < before)
            ),
            key=_cursor,
            reverse=True,
        )
        return found[:limit]

    async def since(self, member: UserId, after: MessageCursor, limit: int) -> list[Message]:
        found = sorted(
            (
                m
                for m in self._state.messages.values()
                if member in (m.sender_id, m.recipient_id)
                and m.visible_to(member)
                and _cursor(m) > after
            ),
            key=_cursor,
        )
        return found[:limit]

    async def unscreened(self, limit: int) -> list[Message]:
        found = sorted(
            (
                m
                for m in self._state.messages.values()
                if m.decision is ModerationDecision.UNSCREENED
            ),
            key=_cursor,
        )
        return found[:limit]

    async def record_screening(self, message_id: UUID, screening: Screening) -> bool:
        message = self._state.messages.get(message_id)
        if message is None or message.decision is not ModerationDecision.UNSCREENED:
            return False
        self._state.messages[message_id] = replace(
            message, decision=screening.decision, reasons=screening.reasons
        )
        return True

    async def release(self, message_id: UUID) -> Message | None:
        message = self._state.messages.get(message_id)
        if message is None or not message.decision.needs_review:
            return None
        released = replace(message, decision=ModerationDecision.RELEASED)
        self._state.messages[message_id] = released
        return released

    async def add_once(self, message: Message) -> tuple[Message, bool]:
        existing = await self.by_client_id(message.sender_id, message.client_message_id)
        if existing is not None:
            return existing, False
        self._state.messages[message.id] = message
        return message, True

    async def mark_delivered(
        self, receipts: Sequence[DeliveryReceipt], at: datetime
    ) -> list[Delivered]:
        changed = []
        for receipt in receipts:
            message = self._state.messages.get(receipt.message_id)
            if (
                message is None
                or message.recipient_id != receipt.recipient
                or message.delivered_at is not None
                or not message.decision.delivers
            ):
                continue
            self._state.messages[message.id] = replace(message, delivered_at=at)
            changed.append(Delivered(message.id, message.match_id, message.sender_id))
        return changed

    async def mark_read(
        self, match_id: UUID, reader: UserId, up_to: MessageCursor, at: datetime
    ) -> int:
        changed = 0
        for message in list(self._state.messages.values()):
            if (
                message.match_id == match_id
                and message.recipient_id == reader
                and message.read_at is None
                and message.decision.delivers
                and _cursor(message) <= up_to
            ):
                self._state.messages[message.id] = replace(
                    message, read_at=at, delivered_at=message.delivered_at or at
                )
                changed += 1
        return changed


class InMemoryConversationAccess(_OnConversations, ConversationAccess):
    """Reads matching's, safety's and accounts' in-memory states, as the SQL adapter
    joins their tables."""

    async def conversation(self, match_id: UUID) -> ConversationMembers | None:
        match = self._connection.state(MatchingState).matches.get(match_id)
        if match is None:
            return None
        return ConversationMembers(
            match.id,
            (match.pair.first, match.pair.second),
            conversation_is_open(
                match,
                self._connection.state(SafetyState),
                self._connection.state(AccountsState),
            ),
            history_kept(match),
        )

    async def lock(self, match_id: UUID) -> ConversationMembers | None:
        # One in-memory transaction at a time: nothing can slip in between.
        return await self.conversation(match_id)

    async def conversations(self, match_ids: Collection[UUID]) -> dict[UUID, ConversationMembers]:
        found = {match_id: await self.conversation(match_id) for match_id in set(match_ids)}
        return {match_id: members for match_id, members in found.items() if members is not None}

    async def tiers(self, members: Collection[UserId]) -> dict[UserId, Tier]:
        users = self._connection.state(AccountsState).users
        return {member: users[member].tier for member in members if member in users}

    async def match_between(self, first: UserId, second: UserId) -> UUID | None:
        return next(
            (
                match.id
                for match in self._connection.state(MatchingState).matches.values()
                if {match.pair.first, match.pair.second} == {first, second} and match.active
            ),
            None,
        )

    async def inbox(self, member: UserId) -> list[ConversationSummary]:
        users = self._connection.state(AccountsState).users
        safety = self._connection.state(SafetyState)
        summaries = []
        for match in self._connection.state(MatchingState).matches.values():
            if member not in match.pair or not (
                conversation_is_open(match, safety, self._connection.state(AccountsState))
                or history_kept(match)
            ):
                continue
            other = match.pair.other(member)
            user = users.get(other)
            if user is None and other != DELETED_MEMBER:
                continue
            mine = [
                m
                for m in self._state.messages.values()
                if m.match_id == match.id and m.visible_to(member)
            ]
            last = max(mine, key=_cursor, default=None)
            unread = sum(
                1
                for m in mine
                if m.recipient_id == member and m.read_at is None and m.decision.delivers
            )
            summaries.append(
                ConversationSummary(
                    match.id,
                    ConversationPeer.of(other, None if user is None else user.display_name),
                    last,
                    unread,
                    match.created_at if last is None else last.created_at,
                )
            )
        return summaries


@dataclass
class InMemoryMessageModerator(MessageModerator):
    """The rule-based screening, with a switch that makes the service "down"."""

    down: bool = False
    screened: list[str] = field(default_factory=list)

    async def screen(self, text: str) -> Screening:
        if self.down:
            raise Unavailable("The moderation service is down.", code="moderation_unavailable")
        self.screened.append(text)
        return screen_text(text)


@dataclass
class InMemoryRealtimeFanout(RealtimeFanout):
    """Records every push: (member, event)."""

    pushed: list[tuple[UserId, object]] = field(default_factory=list)

    async def publish(self, members: Sequence[UserId], event: object) -> None:
        self.pushed.extend((member, event) for member in members)

    def to(self, member: UserId) -> list[object]:
        return [event for who, event in self.pushed if who == member]
