"""``LanguageModel`` on OpenAI chat completions (the official ``openai`` SDK).

What is sent is exactly the ``ModelRequest`` (ADR 0024): the system instructions, the
member's own words in this conversation (and earlier AI replies), plain topic words for
icebreakers, and a pseudonymous requester hash. Each request asks the provider not to
keep it (``store=False``) and tags it as not for training in ``metadata``. Every
provider failure (connection, timeout, status, refusal, malformed answer) becomes
``Unavailable`` with code ``ai_unavailable``: the API answers 503, never 500.
"""

from __future__ import annotations

import json
from typing import Any

import openai
from openai import AsyncOpenAI

from saltbitter.application.ports.ai import LanguageModel, MessageRole, ModelReply, ModelRequest
from saltbitter.domain.errors import Unavailable

__all__ = ["OpenAIChatModel", "ai_unavailable"]


def ai_unavailable() -> Unavailable:
    return Unavailable(
        "The AI service is unavailable right now; nothing was counted against your "
        "quota. Try again shortly.",
        code="ai_unavailable",
    )


class OpenAIChatModel(LanguageModel):
    __slots__ = ("_client", "_max_tokens", "_model")

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_seconds: float = 20.0,
        max_retries: int = 2,
        max_tokens: int = 400,
    ) -> None:
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_seconds, max_retries=max_retries
        )
        self._model = model
        self._max_tokens = max_tokens

    async def close(self) -> None:
        await self._client.close()

    async def reply(self, request: ModelRequest) -> ModelReply:
        messages: list[dict[str, str]] = [{"role": "system", "content": request.instructions}]
        messages += [
            {
                "role": "user" if turn.role is MessageRole.MEMBER else "assistant",
                "content": turn.text,
            }
            for turn in request.turns
        ]
        extra: dict[str, Any] = {}
        if request.list_of:
            extra["response_format"] = _list_schema(request.list_of)
        try:
            completion = await self._client.chat.completions.create(
                model=self._model,
                messages=messages,  # type: ignore[arg-type]  # TypedDicts at run time
                max_completion_tokens=self._max_tokens,
                store=False,  # not kept by the provider for evals or distillation
                metadata={"saltbitter_feature": request.task.value, "training": "never"},
                safety_identifier=request.requester,
                **extra,
            )
        except openai.OpenAIError as error:
            raise ai_unavailable() from error
        if not completion.choices:
            raise ai_unavailable()
        choice = completion.choices[0]
        text = (choice.message.content or "").strip()
        if choice.message.refusal or not text:
            raise ai_unavailable()
        items: tuple[str, ...] = ()
        if request.list_of:
            items = _parse_items(text, request.list_of)
        return ModelReply(text=text, items=items, model=completion.model)


def _list_schema(count: int) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "suggestions",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"type": "string"}, "maxItems": count}
                },
                "required": ["items"],
                "additionalProperties": False,
            },
        },
    }


def _parse_items(text: str, count: int) -> tuple[str, ...]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ai_unavailable() from error
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ai_unavailable()
    return tuple(item for item in items if item.strip())[:count]
