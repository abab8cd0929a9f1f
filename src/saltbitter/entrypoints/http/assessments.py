"""HTTP routes of the assessments capability under /api/v1 (issue 4).

/assessments/*: the questionnaire, taking it, and the caller's own results (nobody
else's: there is no route to another member's results). /me/consents: the member's
side of the consent ledger, which the assessment depends on. /assessments/instruments/
values and /me/values/questionnaire: the 21-portrait values questionnaire, whose scores
become the profile's ten value ratings.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from saltbitter.application.assessments.consents import ListConsents, SetConsent
from saltbitter.application.assessments.dto import (
    AssessmentView,
    ConsentChange,
    ConsentView,
    InstrumentView,
    MyAssessments,
    SubmitAssessmentCommand,
)
from saltbitter.application.assessments.results import (
    GetInstrument,
    GetMyAssessments,
    SubmitAssessment,
)
from saltbitter.application.assessments.values import (
    VALUES_QUESTIONNAIRE_KEY,
    GetValuesQuestionnaire,
    SubmitValuesQuestionnaire,
    ValuesQuestionnaireView,
    ValuesView,
)
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import ConsentList, documented

__all__ = ["ROUTES", "AssessmentsController", "ConsentsController", "ValuesController"]


# Keys are item numbers; Litestar does not document constraints on dict keys itself.
_ITEM_NUMBERS = documented(
    max_properties=200, property_names={"type": "string", "pattern": "^[0-9]{1,8}$"}
)


class SubmitAssessmentRequest(msgspec.Struct, forbid_unknown_fields=True):
    instrument: Annotated[str, msgspec.Meta(max_length=32, examples=["ecr-r"])]
    # Item number (as a JSON key) -> answer. Values are checked by the use case, so that
    # every bad answer is reported as ``answers.<n>`` in one response.
    answers: Annotated[
        dict[Annotated[str, msgspec.Meta(max_length=8)], Any],
        msgspec.Meta(max_length=200, examples=[{"1": 5, "2": 3}]),
        _ITEM_NUMBERS,
    ]


class ValuesQuestionnaireRequest(msgspec.Struct, forbid_unknown_fields=True):
    # Portrait number (as a JSON key) -> answer 1-6; checked by the use case, so that
    # every bad answer is reported as ``answers.<n>`` in one response.
    answers: Annotated[
        dict[Annotated[str, msgspec.Meta(max_length=8)], Any],
        msgspec.Meta(max_length=100, examples=[{"1": 2, "2": 5}]),
        documented(
            max_properties=100, property_names={"type": "string", "pattern": "^[0-9]{1,8}$"}
        ),
    ]


class ConsentRequest(msgspec.Struct, forbid_unknown_fields=True):
    granted: bool


class AssessmentsController(Controller):
    path = "/assessments"
    tags = ["assessments"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        f"/instruments/{VALUES_QUESTIONNAIRE_KEY}",
        summary="The values questionnaire (21 portraits): answer scale and ESS item codes",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def values_questionnaire(
        self,
        principal: FromDishka[Principal],  # noqa: ARG002 - members only, like the others
        get_questionnaire: FromDishka[GetValuesQuestionnaire],
    ) -> ValuesQuestionnaireView:
        return await get_questionnaire()

    @get(
        "/instruments/{key:str}",
        summary="The questionnaire: items, answer scale with labels, instructions",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def instrument(
        self,
        key: FromPath[str],
        principal: FromDishka[Principal],  # noqa: ARG002 - members only (licensed text)
        get_instrument: FromDishka[GetInstrument],
    ) -> InstrumentView:
        return await get_instrument(key)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Take the assessment (needs the sensitive_data consent; retake after 30 days)",
        security=BEARER,
        responses=documented_errors(401, 403, 409, 422, LIMITED),
    )
    async def submit(
        self,
        data: JSONBody[SubmitAssessmentRequest],
        principal: FromDishka[Principal],
        submit: FromDishka[SubmitAssessment],
    ) -> AssessmentView:
        return await submit(principal, SubmitAssessmentCommand(data.instrument, data.answers))

    @get(
        "/me",
        summary="The caller's latest result in full and the history of every assessment",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def mine(
        self, principal: FromDishka[Principal], get_mine: FromDishka[GetMyAssessments]
    ) -> MyAssessments:
        return await get_mine(principal)


class ConsentsController(Controller):
    path = "/me/consents"
    tags = ["consents"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="The current state of every consent purpose",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def list_consents(
        self, principal: FromDishka[Principal], list_consents: FromDishka[ListConsents]
    ) -> ConsentList:
        return ConsentList(await list_consents(principal))

    @put(
        "/{purpose:str}",
        status_code=HTTP_200_OK,
        summary="Grant or withdraw one purpose (appended to the ledger)",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def set_consent(
        self,
        purpose: FromPath[str],
        data: JSONBody[ConsentRequest],
        principal: FromDishka[Principal],
        client: FromDishka[ClientInfo],
        set_consent: FromDishka[SetConsent],
    ) -> ConsentView:
        return await set_consent(principal, ConsentChange(purpose, data.granted, client))


class ValuesController(Controller):
    path = "/me/values"
    tags = ["profiles"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/questionnaire",
        status_code=HTTP_200_OK,
        summary="Answer the values questionnaire instead of rating the ten values directly",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def answer_values_questionnaire(
        self,
        data: JSONBody[ValuesQuestionnaireRequest],
        principal: FromDishka[Principal],
        submit: FromDishka[SubmitValuesQuestionnaire],
    ) -> ValuesView:
        return await submit(principal, data.answers)


ROUTES: list[type[Controller]] = [AssessmentsController, ConsentsController, ValuesController]
