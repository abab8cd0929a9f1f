"""Ports of the AI capability: the language model, and the narrow reads and writes its
use cases need (consent, quota, history, a match's shared ground, the member's own
assessment result)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from saltbitter.domain.shared import UserId

__all__ = [
    "AiAssessmentReader",
    "AiConsentReader",
    "AiHistoryStore",
    "AiMatchReader",
    "AiQuotaCounter",
    "AiTask",
    "AssessmentResult",
    "Conversation",
    "ConversationKind",
    "LanguageModel",
    "MessageRole",
    "ModelReply",
    "ModelRequest",
    "SharedGround",
    "StoredMessage",
    "Turn",
]


class AiTask(StrEnum):
    PRACTICE = "practice"
    DRAFT_FEEDBACK = "draft_feedback"
    EXPLAIN_ASSESSMENT = "explain_assessment"
    ICEBREAKERS = "icebreakers"


class MessageRole(StrEnum):
    MEMBER = "member"
    AI = "ai"


@dataclass(frozen=True, slots=True)
class Turn:
    role: MessageRole
    text: str


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """Everything a model is given: nothing else about the member leaves the process.

    ``instructions`` is the system message; ``turns`` the conversation (the member's own
    words and earlier AI replies); ``topics`` plain words (shared interests, value names)
    for icebreakers; ``list_of`` asks for structured output: a JSON list of at most that
    many strings. ``requester`` is a pseudonymous, per-member hash (the provider's abuse
    monitoring asks for one), never the member id or email.
    """

    task: AiTask
    instructions: str
    turns: tuple[Turn, ...]
    requester: str
    topics: tuple[str, ...] = ()
    list_of: int = 0
    persona: str | None = None


@dataclass(frozen=True, slots=True)
class ModelReply:
    text: str
    items: tuple[str, ...] = ()
    model: str = ""
    stand_in: bool = False


class LanguageModel(Protocol):
    @abstractmethod
    async def reply(self, request: ModelRequest) -> ModelReply:
        """The model's answer; raises ``Unavailable`` (code ai_unavailable) on any
        provider failure (down, timeout, rate limit, refusal, malformed answer)."""


class AiConsentReader(Protocol):
    @abstractmethod
    async def ai_features_granted(self, user: UserId) -> bool:
        """Whether the member's latest ai_features consent record grants it."""


class AiQuotaCounter(Protocol):
    @abstractmethod
    async def try_spend(self, user: UserId, day: date, limit: int) -> int | None:
        """Count one message on ``day`` if fewer than ``limit`` were counted, atomically;
        the new count, or None when the quota is used up. Needs a transaction."""

    @abstractmethod
    async def give_back(self, user: UserId, day: date) -> None:
        """Undo one ``try_spend`` (the provider failed). Needs a transaction."""

    @abstractmethod
    async def used(self, user: UserId, day: date) -> int: ...


class ConversationKind(StrEnum):
    PRACTICE = "practice"
    COACH = "coach"
    ICEBREAKERS = "icebreakers"


@dataclass(frozen=True, slots=True)
class Conversation:
    id: UUID
    user_id: UserId
    kind: ConversationKind
    persona: str | None
    started_at: datetime


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: UUID
    conversation_id: UUID
    role: MessageRole
    body: str
    created_at: datetime
    crisis: bool = False


class AiHistoryStore(Protocol):
    @abstractmethod
    def start(self, conversation: Conversation) -> None: ...

    @abstractmethod
    def add(self, message: StoredMessage) -> None: ...

    @abstractmethod
    async def latest_conversation(
        self, user: UserId, kind: ConversationKind, persona: str | None
    ) -> Conversation | None: ...

    @abstractmethod
    async def conversation(self, user: UserId, conversation_id: UUID) -> Conversation | None:
        """The member's own conversation, or None (someone else's is None too)."""

    @abstractmethod
    async def messages(self, conversation_id: UUID, limit: int) -> Sequence[StoredMessage]:
        """The newest ``limit`` messages, oldest first."""

    @abstractmethod
    async def conversations(self, user: UserId) -> Sequence[Conversation]:
        """The member's conversations, newest first."""

    @abstractmethod
    async def delete_all(self, user: UserId) -> int: ...

    @abstractmethod
    async def delete(self, user: UserId, conversation_id: UUID) -> bool: ...


@dataclass(frozen=True, slots=True)
class SharedGround:
    """What two matched members have in common: plain words only."""

    interests: tuple[str, ...]
    values: tuple[str, ...]


class AiMatchReader(Protocol):
    @abstractmethod
    async def shared_ground(self, user: UserId, match_id: UUID) -> SharedGround | None:
        """The shared interests and values of the member's own active match, or None
        when the match is not theirs, not active or does not exist."""


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """The member's own latest attachment result in plain terms (no scores)."""

    style: str
    near_boundary: bool
    nearest_other_style: str | None = None


class AiAssessmentReader(Protocol):
    @abstractmethod
    async def latest_result(self, user: UserId) -> AssessmentResult | None: ...
