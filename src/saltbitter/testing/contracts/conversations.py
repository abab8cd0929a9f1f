"""The contract of the conversations ports (message log and access to matches).

Subclass :class:`ConversationsContract` and provide ``store``: an async context manager
factory giving one connection's ``ConversationStore`` (its transaction, the accounts',
matching's and safety's ports that seed members, matches, unmatches and blocks, and the
conversations ports). The in-memory fakes, SQLite and PostgreSQL run it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.conversations import (
    ConversationAccess,
    Delivered,
    DeliveryReceipt,
    MessageRepository,
)
from saltbitter.application.ports.matching import MatchStore, SwipeWriter
from saltbitter.application.ports.safety import Block, BlockStore
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.conversations import (
    Message,
    MessageCursor,
    ModerationDecision,
    Screening,
)
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user

__all__ = ["ConversationStore", "ConversationsContract", "Seeded", "StoreFactory", "message_for"]

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class ConversationStore:
    transaction: Transaction
    users: UserRepository
    swipes: SwipeWriter  # seeds matches
    matches: MatchStore  # ends them
    blocks: BlockStore  # safety's, seeds blocks
    messages: MessageRepository
    access: ConversationAccess


StoreFactory = Callable[[], AbstractAsyncContextManager[ConversationStore]]


@dataclass(frozen=True)
class Seeded:
    ada: UserId
    bo: UserId
    cy: UserId
    match_id: UUID
    other_match_id: UUID  # ada and cy


def message_for(seeded: Seeded, n: int, *, sender: UserId | None = None, **changes: Any) -> Message:
    sender = sender or seeded.ada
    recipient = seeded.bo if sender == seeded.ada else seeded.ada
    message = Message(
        id=uuid4(),
        match_id=seeded.match_id,
        sender_id=sender,
        recipient_id=recipient,
        body=f"message {n}",
        client_message_id=f"key-{n}",
        created_at=T0 + timedelta(seconds=n),
        decision=ModerationDecision.ALLOW,
    )
    return replace(message, **changes)


class ConversationsContract:
    @pytest.fixture
    def store(self) -> StoreFactory:
        raise NotImplementedError("provide one connection's conversations store")

    async def _seed(self, store: StoreFactory) -> Seeded:
        users = [a_user(), a_user(), a_user()]
        users[1] = replace(users[1], display_name="Bo")
        match_id, other_match_id = uuid4(), uuid4()
        async with store() as s, s.transaction:
            for user in users:
                s.users.add(user)
            await s.swipes.create_match(match_id, MatchPair(users[0].id, users[1].id), T0)
            await s.swipes.create_match(
                other_match_id, MatchPair(users[0].id, users[2].id), T0 - timedelta(days=1)
            )
            await s.transaction.commit()
        return Seeded(users[0].id, users[1].id, users[2].id, match_id, other_match_id)

    async def _add(self, store: StoreFactory, *messages: Message) -> list[tuple[Message, bool]]:
        async with store() as s, s.transaction:
            added = [await s.messages.add_once(m) for m in messages]
            await s.transaction.commit()
        return added

    async def test_a_client_message_id_is_stored_once_per_sender(self, store: StoreFactory) -> None:
        seeded = await self._seed(store)
        first = message_for(seeded, 1)
        [(stored, created)] = await self._add(store, first)
        assert created
        assert stored == first
        retry = replace(message_for(seeded, 2), client_message_id=first.client_message_id)
        [(again, created_again)] = await self._add(store, retry)
        assert not created_again
        assert again == first
        # Another sender may use the same key.
        theirs = replace(message_for(seeded, 3, sender=seeded.bo), client_message_id="key-1")
        [(_, created_theirs)] = await self._add(store, theirs)
        assert created_theirs
        async with store() as s:
            assert await s.messages.get(first.id) == first
            assert await s.messages.by_client_id(seeded.ada, "key-1") == first
            assert await s.messages.get(retry.id) is None

    async def test_history_is_newest_first_with_held_messages_for_their_sender_only(
        self, store: StoreFactory
    ) -> None:
        seeded = await self._seed(store)
        messages = [message_for(seeded, n) for n in range(5)]
        held = message_for(seeded, 9, decision=ModerationDecision.HOLD, reasons=("scam_pattern",))
        await self._add(store, *messages, held)
        async with store() as s:
            ada_sees = await s.messages.history(seeded.match_id, seeded.ada, None, 10)
            bo_sees = await s.messages.history(seeded.match_id, seeded.bo, None, 10)
            assert [m.id for m in ada_sees] == [held.id, *[m.id for m in messages[::-1]]]
            assert ada_sees[0].reasons == ("scam_pattern",)
            assert [m.id for m in bo_sees] == [m.id for m in messages[::-1]]
            page = await s.messages.history(
                seeded.match_id, seeded.bo, MessageCursor.of(messages[3]), 2
            )
            assert [m.id for m in page] == [messages[2].id, messages[1].id]
            assert await s.messages.history(seeded.other_match_id, seeded.ada, None, 10) == []

    async def test_same_instant_messages_page_by_id(self, store: StoreFactory) -> None:
        seeded = await self._seed(store)
        same = [message_for(seeded, n, created_at=T0) for n in range(4)]
        await self._add(store, *same)
        ordered = sorted(same, key=MessageCursor.of, reverse=True)
        async with store() as s:
            first = await s.messages.history(seeded.match_id, seeded.bo, None, 2)
            rest = await s.messages.history(
                seeded.match_id, seeded.bo, MessageCursor.of(first[-1]), 5
            )
        assert [m.id for m in first + rest] == [m.id for m in ordered]

    async def test_since_is_what_a_member_missed_oldest_first(self, store: StoreFactory) -> None:
        seeded = await self._seed(store)
        messages = [message_for(seeded, n, sender=(seeded.ada, seeded.bo)[n % 2]) for n in range(5)]
        blocked = message_for(seeded, 7, decision=ModerationDecision.BLOCK)
        await self._add(store, *messages, blocked)
        async with store() as s:
            missed = await s.messages.since(seeded.bo, MessageCursor.of(messages[1]), 10)
            assert [m.id for m in missed] == [m.id for m in messages[2:]]
            mine = await s.messages.since(seeded.ada, MessageCursor.of(messages[4]), 10)
            assert [m.id for m in mine] == [blocked.id]
            assert await s.messages.since(seeded.cy, MessageCursor.of(messages[0]), 10) == []

    async def test_delivery_and_reading_are_noted_once_for_the_recipient(
        self, store: StoreFactory
    ) -> None:
        seeded = await self._seed(store)
        messages = [message_for(seeded, n) for n in range(3)]
        mine = message_for(seeded, 5, sender=seeded.bo)
        await self._add(store, *messages, mine)
        at = T0 + timedelta(hours=1)
        async with store() as s, s.transaction:
            first = DeliveryReceipt(messages[0].id, seeded.bo)
            assert await s.messages.mark_delivered([first], at) == [
                Delivered(messages[0].id, seeded.match_id, seeded.ada)
            ]
            assert await s.messages.mark_delivered([first], at) == []
            not_theirs = DeliveryReceipt(messages[1].id, seeded.ada)
            assert await s.messages.mark_delivered([not_theirs], at) == []
            read = await s.messages.mark_read(
                seeded.match_id, seeded.bo, MessageCursor.of(messages[1]), at
            )
            assert read == 2
            again = await s.messages.mark_read(
                seeded.match_id, seeded.bo, MessageCursor.of(messages[2]), at
            )
            assert again == 1

            await s.transaction.commit()
        async with store() as s:
            stored = [await s.messages.get(m.id) for m in (*messages, mine)]
        assert [m.status.value if m else None for m in stored] == ["read", "read", "read", "sent"]
        assert stored[1] is not None
        assert stored[1].delivered_at == at

    async def test_a_batch_of_receipts_notes_each_delivery_once(self, store: StoreFactory) -> None:
        seeded = await self._seed(store)
        messages = [message_for(seeded, n) for n in range(3)]
        held = message_for(seeded, 3, decision=ModerationDecision.HOLD)
        mine = message_for(seeded, 4, sender=seeded.bo)
        await self._add(store, *messages, held, mine)
        at = T0 + timedelta(hours=1)
        receipts = [
            DeliveryReceipt(messages[0].id, seeded.bo),
            DeliveryReceipt(messages[0].id, seeded.bo),  # a second device, same message
            DeliveryReceipt(messages[1].id, seeded.bo),
            DeliveryReceipt(messages[2].id, seeded.cy),  # not the recipient
            DeliveryReceipt(held.id, seeded.bo),  # held: reaches nobody
            DeliveryReceipt(mine.id, seeded.bo),  # the sender's own
            DeliveryReceipt(uuid4(), seeded.bo),  # no such message
        ]
        async with store() as s, s.transaction:
            delivered = await s.messages.mark_delivered(receipts, at)
            await s.transaction.commit()
        assert sorted(d.message_id for d in delivered) == sorted(m.id for m in messages[:2])
        assert {(d.match_id, d.sender_id) for d in delivered} == {(seeded.match_id, seeded.ada)}
        async with store() as s:
            assert (await s.messages.mark_delivered(receipts, at)) == []
            assert await s.messages.mark_delivered([], at) == []
            stored = [await s.messages.get(m.id) for m in (*messages, held)]
        assert [m.delivered_at if m else "missing" for m in stored] == [at, at, None, None]

    async def test_access_knows_the_members_and_whether_it_is_open(
        self, store: StoreFactory
    ) -> None:
        seeded = await self._seed(store)
        async with store() as s:
            found = await s.access.conversation(seeded.match_id)
            assert found is not None
            assert set(found.members) == {seeded.ada, seeded.bo}
            assert found.is_open
            assert found.other(seeded.ada) == seeded.bo
            assert await s.access.conversation(uuid4()) is None
            assert await s.access.match_between(seeded.bo, seeded.ada) == seeded.match_id
            assert await s.access.match_between(seeded.ada, seeded.cy) == seeded.other_match_id
            assert await s.access.match_between(seeded.bo, seeded.cy) is None
        async with store() as s, s.transaction:
            await s.matches.end_match(seeded.match_id, seeded.ada, T0 + timedelta(hours=1))
            await s.transaction.commit()
        async with store() as s:
            closed = await s.access.conversation(seeded.match_id)
            assert closed is not None
            assert not closed.is_open
            assert await s.access.match_between(seeded.ada, seeded.bo) is None

    @pytest.mark.parametrize("blocker", ["ada", "bo"])
    async def test_a_block_either_way_closes_the_conversation_for_both(
        self, store: StoreFactory, blocker: str
    ) -> None:
        seeded = await self._seed(store)
        await self._add(store, message_for(seeded, 1))
        by, of = (seeded.ada, seeded.bo) if blocker == "ada" else (seeded.bo, seeded.ada)
        async with store() as s, s.transaction:
            await s.blocks.add(Block(by, of, T0 + timedelta(hours=1)))
            await s.transaction.commit()
        async with store() as s:
            closed = await s.access.conversation(seeded.match_id)
            other = await s.access.conversation(seeded.other_match_id)
            bo_inbox = await s.access.inbox(seeded.bo)
            ada_inbox = [c.match_id for c in await s.access.inbox(seeded.ada)]
        assert closed is not None
        assert set(closed.members) == {seeded.ada, seeded.bo}
        assert not closed.is_open
        assert other is not None
        assert other.is_open  # ada's conversation with cy is not theirs to close
        assert bo_inbox == []
        assert ada_inbox == [seeded.other_match_id]
        async with store() as s:  # the match a block closes is still found
            assert await s.access.match_between(seeded.ada, seeded.bo) == seeded.match_id
        # A block of somebody else closes nothing here.
        async with store() as s, s.transaction:
            await s.blocks.remove(by, of)
            await s.blocks.add(Block(seeded.bo, seeded.cy, T0 + timedelta(hours=2)))
            await s.transaction.commit()
        async with store() as s:
            reopened = await s.access.conversation(seeded.match_id)
        assert reopened is not None
        assert reopened.is_open

    async def test_the_inbox_holds_open_conversations_with_last_message_and_unread(
        self, store: StoreFactory
    ) -> None:
        seeded = await self._seed(store)
        messages = [message_for(seeded, n) for n in range(3)]
        held = message_for(seeded, 8, decision=ModerationDecision.HOLD)
        await self._add(store, *messages, held)
        async with store() as s:
            bo = {c.match_id: c for c in await s.access.inbox(seeded.bo)}
            ada = {c.match_id: c for c in await s.access.inbox(seeded.ada)}
        assert set(bo) == {seeded.match_id}
        assert bo[seeded.match_id].member.user_id == seeded.ada
        assert bo[seeded.match_id].last_message == messages[2]
        assert bo[seeded.match_id].unread_count == 3
        assert bo[seeded.match_id].activity_at == messages[2].created_at
        assert set(ada) == {seeded.match_id, seeded.other_match_id}
        assert ada[seeded.match_id].member.display_name == "Bo"
        assert ada[seeded.match_id].last_message == held  # their own held message
        assert ada[seeded.match_id].unread_count == 0
        assert ada[seeded.other_match_id].last_message is None
        assert ada[seeded.other_match_id].activity_at == T0 - timedelta(days=1)
        async with store() as s, s.transaction:
            await s.matches.end_match(seeded.match_id, seeded.bo, T0 + timedelta(hours=1))
            await s.transaction.commit()
        async with store() as s:
            assert await s.access.inbox(seeded.bo) == []

    async def test_unscreened_messages_take_a_later_screening_once(
        self, store: StoreFactory
    ) -> None:
        seeded = await self._seed(store)
        screened = message_for(seeded, 1)
        later = [message_for(seeded, n, decision=ModerationDecision.UNSCREENED) for n in (2, 3)]
        await self._add(store, screened, *later)
        async with store() as s:
            assert [m.id for m in await s.messages.unscreened(10)] == [m.id for m in later]
        hold = Screening(ModerationDecision.HOLD, ("scam_pattern",))
        async with store() as s, s.transaction:
            assert await s.messages.record_screening(later[0].id, hold)
            assert not await s.messages.record_screening(later[0].id, hold)
            assert not await s.messages.record_screening(screened.id, hold)
            await s.transaction.commit()
        async with store() as s:
            held = await s.messages.get(later[0].id)
            assert [m.id for m in await s.messages.unscreened(10)] == [later[1].id]
        assert held is not None
        assert held.decision is ModerationDecision.HOLD
        assert held.reasons == ("scam_pattern",)
        assert held.status.value == "held"

    async def test_a_released_message_delivers_once(self, store: StoreFactory) -> None:
        seeded = await self._seed(store)
        held = message_for(seeded, 1, decision=ModerationDecision.HOLD, reasons=("scam",))
        blocked = message_for(seeded, 2, decision=ModerationDecision.BLOCK)
        fine = message_for(seeded, 3)
        await self._add(store, held, blocked, fine)
        async with store() as s, s.transaction:
            released = await s.messages.release(held.id)
            assert await s.messages.release(held.id) is None  # twice: nothing more
            assert await s.messages.release(fine.id) is None  # never held
            assert await s.messages.release(uuid4()) is None
            assert await s.messages.release(blocked.id) is not None
            await s.transaction.commit()
        assert released is not None
        assert released.decision is ModerationDecision.RELEASED
        assert released.status.value == "sent"
        assert released.reasons == ("scam",)  # why it was held stays on record
        async with store() as s:
            bo_sees = await s.messages.history(seeded.match_id, seeded.bo, None, 10)
            assert [m.id for m in bo_sees] == [fine.id, blocked.id, held.id]
            assert await s.messages.get(held.id) == released
        async with store() as s, s.transaction:
            delivered = await s.messages.mark_delivered(
                [DeliveryReceipt(held.id, seeded.bo)], T0 + timedelta(hours=1)
            )
            assert [d.message_id for d in delivered] == [held.id]
            await s.transaction.commit()

    async def test_many_conversations_and_tiers_in_one_read(self, store: StoreFactory) -> None:
        seeded = await self._seed(store)
        async with store() as s, s.transaction:
            await s.matches.end_match(seeded.other_match_id, seeded.cy, T0 + timedelta(hours=1))
            await s.transaction.commit()
        async with store() as s:
            assert await s.access.conversations([]) == {}
            found = await s.access.conversations([seeded.match_id, seeded.other_match_id, uuid4()])
            assert found == {
                seeded.match_id: await s.access.conversation(seeded.match_id),
                seeded.other_match_id: await s.access.conversation(seeded.other_match_id),
            }
            assert found[seeded.match_id].is_open
            assert not found[seeded.other_match_id].is_open
            tiers = await s.access.tiers([seeded.ada, seeded.bo, UserId(uuid4())])
            assert set(tiers) == {seeded.ada, seeded.bo}
            assert await s.access.tiers([]) == {}
