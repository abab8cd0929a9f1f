"""In-memory fakes of the AI capability's ports (same contract as the SQL adapters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from saltbitter.application.ports.ai import (
    AiAssessmentReader,
    AiConsentReader,
    AiHistoryStore,
    AiMatchReader,
    AiQuotaCounter,
    AssessmentResult,
    Conversation,
    ConversationKind,
    LanguageModel,
    ModelReply,
    ModelRequest,
    SharedGround,
    StoredMessage,
)
from saltbitter.domain.accounts.model import ConsentPurpose
from saltbitter.domain.ai.icebreakers import shared_interests, shared_values
from saltbitter.domain.compatibility import SchwartzValue, ValueRatings
from saltbitter.domain.errors import Unavailable
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes import AccountsState
from saltbitter.testing.fakes_assessments import AssessmentsState
from saltbitter.testing.fakes_matching import MatchingState
from saltbitter.testing.fakes_profiles import ProfilesState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "AiState",
    "InMemoryAiAssessmentReader",
    "InMemoryAiConsentReader",
    "InMemoryAiHistoryStore",
    "InMemoryAiMatchReader",
    "InMemoryAiQuotaCounter",
    "InMemoryLanguageModel",
]


@dataclass
class AiState:
    conversations: dict[UUID, Conversation] = field(default_factory=dict)
    messages: list[StoredMessage] = field(default_factory=list)
    quota: dict[tuple[UserId, date], int] = field(default_factory=dict)


class _OnAi(InMemoryRepository):
    @property
    def _state(self) -> AiState:
        return self._connection.state(AiState)


class InMemoryAiConsentReader(InMemoryRepository, AiConsentReader):
    async def ai_features_granted(self, user: UserId) -> bool:
        records = [
            c
            for c in self._connection.state(AccountsState).consents
            if c.user_id == user and c.purpose is ConsentPurpose.AI_FEATURES
        ]
        return bool(records) and records[-1].granted


class InMemoryAiQuotaCounter(_OnAi, AiQuotaCounter):
    async def try_spend(self, user: UserId, day: date, limit: int) -> int | None:
        used = self._state.quota.get((user, day), 0)
        if used >= limit:
            return None
        self._state.quota[user, day] = used + 1
        return used + 1

    async def give_back(self, user: UserId, day: date) -> None:
        used = self._state.quota.get((user, day), 0)
        if used > 0:
            self._state.quota[user, day] = used - 1

    async def used(self, user: UserId, day: date) -> int:
        return self._state.quota.get((user, day), 0)


class InMemoryAiHistoryStore(_OnAi, AiHistoryStore):
    def start(self, conversation: Conversation) -> None:
        self._state.conversations[conversation.id] = conversation

    def add(self, message: StoredMessage) -> None:
        if message.conversation_id not in self._state.conversations:
            raise AssertionError("foreign key: the conversation does not exist")
        self._state.messages.append(message)

    async def latest_conversation(
        self, user: UserId, kind: ConversationKind, persona: str | None
    ) -> Conversation | None:
        mine = [
            c
            for c in self._state.conversations.values()
            if c.user_id == user and c.kind is kind and c.persona == persona
        ]
        return max(mine, key=lambda c: (c.started_at, c.id), default=None)

    async def conversation(self, user: UserId, conversation_id: UUID) -> Conversation | None:
        found = self._state.conversations.get(conversation_id)
        return found if found is not None and found.user_id == user else None

    async def messages(self, conversation_id: UUID, limit: int) -> Sequence[StoredMessage]:
        mine = sorted(
            (m for m in self._state.messages if m.conversation_id == conversation_id),
            key=lambda m: (m.created_at, m.id),
        )
        return mine[-limit:] if limit > 0 else []

    async def conversations(self, user: UserId) -> Sequence[Conversation]:
        mine = [c for c in self._state.conversations.values() if c.user_id == user]
        return sorted(mine, key=lambda c: (c.started_at, c.id), reverse=True)

    async def delete_all(self, user: UserId) -> int:
        ids = {c.id for c in self._state.conversations.values() if c.user_id == user}
        self._drop(ids)
        return len(ids)

    async def delete(self, user: UserId, conversation_id: UUID) -> bool:
        if await self.conversation(user, conversation_id) is None:
            return False
        self._drop({conversation_id})
        return True

    def _drop(self, ids: set[UUID]) -> None:
        state = self._state
        state.messages = [m for m in state.messages if m.conversation_id not in ids]
        for conversation_id in ids:
            del state.conversations[conversation_id]


def _ratings(values: ValueRatings | None) -> dict[str, float] | None:
    if values is None:
        return None
    return dict(zip((v.value for v in SchwartzValue), values.as_tuple(), strict=True))


class InMemoryAiMatchReader(InMemoryRepository, AiMatchReader):
    async def shared_ground(self, user: UserId, match_id: UUID) -> SharedGround | None:
        match = self._connection.state(MatchingState).matches.get(match_id)
        if match is None or not match.active or user not in match.pair:
            return None
        profiles = self._connection.state(ProfilesState).profiles
        mine, theirs = profiles.get(user), profiles.get(match.pair.other(user))
        if mine is None or theirs is None:
            return SharedGround((), ())
        return SharedGround(
            shared_interests(mine.interests, theirs.interests),
            shared_values(_ratings(mine.values), _ratings(theirs.values)),
        )


class InMemoryAiAssessmentReader(InMemoryRepository, AiAssessmentReader):
    async def latest_result(self, user: UserId) -> AssessmentResult | None:
        mine = [r for r in self._connection.state(AssessmentsState).records if r.user_id == user]
        if not mine:
            return None
        latest = max(mine, key=lambda r: r.taken_at)
        return AssessmentResult(latest.style.value, latest.near_boundary)


class InMemoryLanguageModel(LanguageModel):
    """Records every request; answers ``answer`` (items for list requests), or fails
    with ai_unavailable while ``failing`` is set."""

    def __init__(self) -> None:
        self.requests: list[ModelRequest] = []
        self.failing = False
        self.answer = "An AI reply."

    async def reply(self, request: ModelRequest) -> ModelReply:
        self.requests.append(request)
        if self.failing:
            raise Unavailable("The AI service is unavailable.", code="ai_unavailable")
        if request.list_of:
            items = tuple(f"Opener about {topic}" for topic in request.topics)[: request.list_of]
            return ModelReply(self.answer, items=items or ("Hi!",), model="fake")
        return ModelReply(self.answer, model="fake")
