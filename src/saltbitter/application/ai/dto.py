"""What the AI use cases answer (the HTTP layer encodes these as they are)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from saltbitter.domain.ai.crisis import CrisisResponse
from saltbitter.domain.ai.personas import Disclosure, Persona

__all__ = [
    "AI_LABEL",
    "AiAnswer",
    "AiConversationView",
    "AiMessageView",
    "CrisisView",
    "DisclosureView",
    "HistoryView",
    "PersonaList",
    "PersonaView",
    "ResourceView",
]

AI_LABEL = "AI-generated"


@dataclass(frozen=True, slots=True)
class DisclosureView:
    """``full`` on the first exchange of a conversation (and on every coach and icebreaker
    answer); later replies carry the short form: is_ai, version, purpose, alternative."""

    is_ai: bool
    disclosure_version: str
    purpose: str
    human_alternative: str
    full: bool
    capabilities: tuple[str, ...] | None = None
    limitations: tuple[str, ...] | None = None

    @classmethod
    def of(cls, disclosure: Disclosure, *, full: bool) -> DisclosureView:
        return cls(
            is_ai=disclosure.is_ai,
            disclosure_version=disclosure.disclosure_version,
            purpose=disclosure.purpose,
            human_alternative=disclosure.human_alternative,
            full=full,
            capabilities=disclosure.capabilities if full else None,
            limitations=disclosure.limitations if full else None,
        )


@dataclass(frozen=True, slots=True)
class PersonaView:
    id: str
    name: str
    style: str
    disclosure: DisclosureView

    @classmethod
    def of(cls, persona: Persona) -> PersonaView:
        return cls(
            persona.id.value,
            persona.name,
            persona.style,
            DisclosureView.of(persona.disclosure, full=True),
        )


@dataclass(frozen=True, slots=True)
class ResourceView:
    name: str
    contact: str
    region: str


@dataclass(frozen=True, slots=True)
class CrisisView:
    kind: str
    resources: tuple[ResourceView, ...]

    @classmethod
    def of(cls, response: CrisisResponse) -> CrisisView:
        return cls(
            response.kind.value,
            tuple(ResourceView(r.name, r.contact, r.region) for r in response.resources),
        )


@dataclass(frozen=True, slots=True)
class AiAnswer:
    """Every AI answer: labelled, disclosed; ``crisis`` set when support resources were
    given instead of role-play or coaching; ``stand_in`` when no real model answered."""

    reply: str
    is_ai: bool
    label: str
    disclosure: DisclosureView
    conversation_id: UUID | None = None
    suggestions: tuple[str, ...] = ()
    crisis: CrisisView | None = None
    stand_in: bool = False
    quota_remaining: int | None = None


@dataclass(frozen=True, slots=True)
class AiMessageView:
    id: UUID
    role: str
    body: str
    created_at: datetime
    crisis: bool


@dataclass(frozen=True, slots=True)
class AiConversationView:
    id: UUID
    kind: str
    persona: str | None
    started_at: datetime
    messages: tuple[AiMessageView, ...]


@dataclass(frozen=True, slots=True)
class HistoryView:
    items: tuple[AiConversationView, ...]  # newest first
    used_for_training: bool = False


@dataclass(frozen=True, slots=True)
class PersonaList:
    items: tuple[PersonaView, ...]
