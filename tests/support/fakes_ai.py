"""The AI capability's role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.ai import (
    AiAssessmentReader,
    AiConsentReader,
    AiHistoryStore,
    AiMatchReader,
    AiQuotaCounter,
)
from saltbitter.testing.fakes_ai import (
    InMemoryAiAssessmentReader,
    InMemoryAiConsentReader,
    InMemoryAiHistoryStore,
    InMemoryAiMatchReader,
    InMemoryAiQuotaCounter,
)

__all__ = ["AiFakes"]


class AiFakes(Provider):
    scope = Scope.REQUEST

    consents = provide(InMemoryAiConsentReader, provides=AiConsentReader, override=True)
    quota = provide(InMemoryAiQuotaCounter, provides=AiQuotaCounter, override=True)
    history = provide(InMemoryAiHistoryStore, provides=AiHistoryStore, override=True)
    matches = provide(InMemoryAiMatchReader, provides=AiMatchReader, override=True)
    assessments = provide(InMemoryAiAssessmentReader, provides=AiAssessmentReader, override=True)
