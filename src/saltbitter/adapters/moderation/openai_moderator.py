"""Message moderation through OpenAI's moderation endpoint (the real ``openai`` SDK).

OpenAI's categories decide about abuse, sexual content and violence; the local rules
still run for what a general classifier does not know (scams, payment links, contact
details), and the stricter of the two decisions wins. Categories that endanger someone
(sexual content with minors, threats, self-harm instructions) block; any other flag
holds the message for a moderator. A timeout, connection error, rate limit or server
error is ``Unavailable``: the use case then applies the fail-open/fail-closed policy
(ADR 0020).
"""

from __future__ import annotations

import openai
from openai import AsyncOpenAI

from saltbitter.application.ports.conversations import MessageModerator
from saltbitter.domain.conversations import ModerationDecision, Screening, screen_text
from saltbitter.domain.errors import Unavailable

__all__ = ["BLOCKING_CATEGORIES", "OpenAIMessageModerator"]

BLOCKING_CATEGORIES = frozenset(
    {
        "sexual/minors",
        "harassment/threatening",
        "hate/threatening",
        "self-harm/instructions",
        "illicit/violent",
    }
)


class OpenAIMessageModerator(MessageModerator):
    __slots__ = ("_client", "_model")

    def __init__(self, client: AsyncOpenAI, model: str = "omni-moderation-latest") -> None:
        self._client = client
        self._model = model

    @classmethod
    def connect(
        cls, api_key: str, base_url: str | None, model: str, timeout: float = 3.0
    ) -> OpenAIMessageModerator:
        client = AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=1)
        return cls(client, model)

    async def aclose(self) -> None:
        await self._client.close()

    async def screen(self, text: str) -> Screening:
        try:
            response = await self._client.moderations.create(model=self._model, input=text)
        except (
            openai.APIConnectionError,
            openai.APITimeoutError,
            openai.RateLimitError,
            openai.InternalServerError,
            openai.AuthenticationError,
        ) as error:
            raise Unavailable(
                "The moderation service is unavailable.", code="moderation_unavailable"
            ) from error
        local = screen_text(text)
        if not response.results:
            return local
        result = response.results[0]
        flagged = sorted(
            name
            for name, value in result.categories.model_dump(by_alias=True).items()
            if value is True
        )
        if not result.flagged and not flagged:
            return local
        remote = (
            ModerationDecision.BLOCK
            if BLOCKING_CATEGORIES & set(flagged)
            else ModerationDecision.HOLD
        )
        decision = max((remote, local.decision), key=lambda d: d.severity)
        return Screening(decision, (*(f"openai:{name}" for name in flagged), *local.reasons))
