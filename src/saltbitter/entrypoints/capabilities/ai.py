"""Wiring of the AI capability: the language model (OpenAI or the stand-in), its SQL
ports and use cases, and its personal-data declaration (AI history)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator

from dishka import Provider, Scope, provide, provide_all

from saltbitter.adapters.openai.chat import OpenAIChatModel
from saltbitter.adapters.openai.stand_in import TemplateLanguageModel
from saltbitter.adapters.sqlalchemy.ai import (
    SqlaAiAssessmentReader,
    SqlaAiConsentReader,
    SqlaAiHistoryStore,
    SqlaAiMatchReader,
    SqlaAiQuotaCounter,
)
from saltbitter.application.ai.asking import QuotaGate
from saltbitter.application.ai.coach import DraftFeedback, ExplainAssessment, SuggestIcebreakers
from saltbitter.application.ai.guard import AiPolicy
from saltbitter.application.ai.history import DeleteAiConversation, DeleteAiHistory, GetAiHistory
from saltbitter.application.ai.personal_data import PERSONAL_DATA
from saltbitter.application.ai.practice import ListPersonas, SendPracticeMessage
from saltbitter.application.ports.ai import (
    AiAssessmentReader,
    AiConsentReader,
    AiHistoryStore,
    AiMatchReader,
    AiQuotaCounter,
    LanguageModel,
)
from saltbitter.entrypoints.capabilities.base import Capability
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "AiProvider", "language_model_for"]


def language_model_for(settings: Settings) -> LanguageModel:
    """OpenAI when a key is configured, else the embedded stand-in (it says so)."""
    if not settings.openai_api_key:
        return TemplateLanguageModel()
    return OpenAIChatModel(
        api_key=settings.openai_api_key,
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        timeout_seconds=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        max_tokens=settings.openai_max_tokens,
    )


class AiProvider(Provider):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    async def language_model(self) -> AsyncIterator[LanguageModel]:
        model = language_model_for(self._settings)
        yield model
        if isinstance(model, OpenAIChatModel):
            await model.close()

    @provide(scope=Scope.APP)
    def ai_policy(self) -> AiPolicy:
        secret = self._settings.effective_jwt_secret().encode()
        key = hmac.new(secret, b"saltbitter:ai-requester:v1", hashlib.sha256).digest()
        return AiPolicy(pseudonym_key=key)

    consents = provide(SqlaAiConsentReader, provides=AiConsentReader, scope=Scope.REQUEST)
    quota = provide(SqlaAiQuotaCounter, provides=AiQuotaCounter, scope=Scope.REQUEST)
    history = provide(SqlaAiHistoryStore, provides=AiHistoryStore, scope=Scope.REQUEST)
    matches = provide(SqlaAiMatchReader, provides=AiMatchReader, scope=Scope.REQUEST)
    assessments = provide(SqlaAiAssessmentReader, provides=AiAssessmentReader, scope=Scope.REQUEST)

    use_cases = provide_all(
        QuotaGate,
        ListPersonas,
        SendPracticeMessage,
        DraftFeedback,
        ExplainAssessment,
        SuggestIcebreakers,
        GetAiHistory,
        DeleteAiHistory,
        DeleteAiConversation,
        scope=Scope.REQUEST,
    )


CAPABILITY = Capability(
    name="ai",
    personal_data=PERSONAL_DATA,
    providers=lambda settings: [AiProvider(settings)],
)
