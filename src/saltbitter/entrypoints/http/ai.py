"""HTTP routes of the AI capability under /api/v1 (issue 12, docs/ai.md).

Every answer is labelled (``is_ai``, ``label``, ``disclosure``); nothing AI works without
the ai_features consent (403 ``ai_consent_required``); the crisis check answers before
any model; the daily quota answers 429 ``ai_quota_exceeded``; a provider failure 503
``ai_unavailable``. History can be read and deleted even after consent is withdrawn.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from saltbitter.application.ai.coach import DraftFeedback, ExplainAssessment, SuggestIcebreakers
from saltbitter.application.ai.dto import AiAnswer, HistoryView, PersonaList
from saltbitter.application.ai.history import DeleteAiConversation, DeleteAiHistory, GetAiHistory
from saltbitter.application.ai.practice import ListPersonas, SendPracticeMessage
from saltbitter.application.shared.identity import Principal
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors

__all__ = ["ROUTES", "AiController"]

MAX_TEXT = 2000
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]


class PracticeMessageRequest(msgspec.Struct, forbid_unknown_fields=True):
    body: Text
    conversation_id: UUID | None = None


class DraftFeedbackRequest(msgspec.Struct, forbid_unknown_fields=True):
    match_id: UUID
    draft: Text


class ExplainAssessmentRequest(msgspec.Struct, forbid_unknown_fields=True):
    question: Annotated[str, msgspec.Meta(max_length=MAX_TEXT)] | None = None


class IcebreakersRequest(msgspec.Struct, forbid_unknown_fields=True):
    match_id: UUID


_AI_ERRORS = documented_errors(401, 403, 404, 422, 429, 503)


class AiController(Controller):
    path = "/ai"
    tags = ["ai"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/personas",
        summary="The five practice personas, each with its machine-readable AI disclosure",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def personas(
        self, principal: FromDishka[Principal], list_personas: FromDishka[ListPersonas]
    ) -> PersonaList:
        del principal  # authenticated, but no consent needed: the disclosure comes first
        return await list_personas()

    @post(
        "/practice/{persona_id:str}/messages",
        status_code=HTTP_200_OK,
        summary="Send a practice message to a persona; the reply is labelled as AI",
        security=BEARER,
        responses=_AI_ERRORS,
    )
    async def practice(
        self,
        persona_id: FromPath[str],
        data: JSONBody[PracticeMessageRequest],
        principal: FromDishka[Principal],
        send: FromDishka[SendPracticeMessage],
    ) -> AiAnswer:
        return await send(principal, persona_id, data.body, data.conversation_id)

    @post(
        "/coach/draft-feedback",
        status_code=HTTP_200_OK,
        summary="Feedback on the tone and clarity of a draft to one of your matches "
        "(never a rewrite, never sent)",
        security=BEARER,
        responses=_AI_ERRORS,
    )
    async def draft_feedback(
        self,
        data: JSONBody[DraftFeedbackRequest],
        principal: FromDishka[Principal],
        feedback: FromDishka[DraftFeedback],
    ) -> AiAnswer:
        return await feedback(principal, data.match_id, data.draft)

    @post(
        "/coach/explain-assessment",
        status_code=HTTP_200_OK,
        summary="A plain, non-diagnostic explanation of your own attachment result",
        security=BEARER,
        responses=_AI_ERRORS,
    )
    async def explain_assessment(
        self,
        data: JSONBody[ExplainAssessmentRequest],
        principal: FromDishka[Principal],
        explain: FromDishka[ExplainAssessment],
    ) -> AiAnswer:
        return await explain(principal, data.question)

    @post(
        "/icebreakers",
        status_code=HTTP_200_OK,
        summary="Up to 3 AI-generated openers for one of your matches (never sent for you)",
        security=BEARER,
        responses=_AI_ERRORS,
    )
    async def icebreakers(
        self,
        data: JSONBody[IcebreakersRequest],
        principal: FromDishka[Principal],
        suggest: FromDishka[SuggestIcebreakers],
    ) -> AiAnswer:
        return await suggest(principal, data.match_id)

    @get(
        "/history",
        summary="Your AI conversations (never used for training)",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def history(
        self, principal: FromDishka[Principal], get_history: FromDishka[GetAiHistory]
    ) -> HistoryView:
        return await get_history(principal)

    @delete(
        "/history",
        status_code=HTTP_204_NO_CONTENT,
        summary="Delete all your AI conversations",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def delete_history(
        self, principal: FromDishka[Principal], delete_all: FromDishka[DeleteAiHistory]
    ) -> None:
        await delete_all(principal)

    @delete(
        "/history/{conversation_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Delete one of your AI conversations",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def delete_conversation(
        self,
        conversation_id: FromPath[UUID],
        principal: FromDishka[Principal],
        delete_one: FromDishka[DeleteAiConversation],
    ) -> None:
        await delete_one(principal, conversation_id)


ROUTES: list[type[Controller]] = [AiController]
