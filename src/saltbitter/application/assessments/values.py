"""The 21-portrait values questionnaire (PVQ-21): the alternative to rating the ten
Schwartz values directly in the profile. Its scores are written to the profile's ten
ratings, exactly where direct ratings go, so matching cannot tell the two apart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from saltbitter.application.assessments.dto import ScaleLabel, ScaleView
from saltbitter.application.ports.assessments import ProfileValues
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import (
    PVQ21_ESS_CODES,
    PVQ21_SCALE,
    ValueRatings,
)
from saltbitter.domain.errors import FieldError, NotFound, ValidationFailed

__all__ = [
    "VALUES_QUESTIONNAIRE_KEY",
    "GetValuesQuestionnaire",
    "SubmitValuesQuestionnaire",
    "ValuesItem",
    "ValuesQuestionnaireView",
    "ValuesView",
]

VALUES_QUESTIONNAIRE_KEY = "values"


@dataclass(frozen=True, slots=True)
class ValuesItem:
    number: int
    # The ESS variable name: clients show the operator's licensed portrait wording for it.
    code: str


@dataclass(frozen=True, slots=True)
class ValuesQuestionnaireView:
    key: str
    name: str
    citation: str
    question: str
    scale: ScaleView
    items: list[ValuesItem]
    note: str


@dataclass(frozen=True, slots=True)
class ValuesView:
    """The ten ratings (1-7 scale, higher = more important) now in the profile."""

    values: dict[str, float]
    source: str


_VIEW = ValuesQuestionnaireView(
    key=VALUES_QUESTIONNAIRE_KEY,
    name="Portrait Values Questionnaire, 21 items (ESS Human Values Scale)",
    citation=(
        "Schwartz, S. H. Human Values Scale, European Social Survey core module "
        "(21 portraits; ESS variables ipcrtiv ... impfun)."
    ),
    question="How much like you is this person?",
    scale=ScaleView(
        minimum=PVQ21_SCALE[0][0],
        maximum=PVQ21_SCALE[-1][0],
        labels=[ScaleLabel(value, label) for value, label in PVQ21_SCALE],
    ),
    items=[ValuesItem(number, code) for number, code in enumerate(PVQ21_ESS_CODES, start=1)],
    note=(
        "Portrait wording is not served: show the licensed male or female version in the "
        "member's language for each ESS variable. All 21 answers are required; the scores "
        "replace the ten value ratings of your profile."
    ),
)


@dataclass(frozen=True, slots=True)
class GetValuesQuestionnaire:
    """The questionnaire as a client shows it; which portrait measures which value stays
    on the server, like the attachment keying."""

    async def __call__(self) -> ValuesQuestionnaireView:
        return _VIEW


@dataclass(frozen=True, slots=True)
class SubmitValuesQuestionnaire:
    """Score the 21 answers into the ten value ratings and store them in the profile.

    Answers are ESS-coded 1 (very much like me) to 6 (not like me at all); every missing
    or invalid one is reported at once as ``answers.<n>``. The member needs a profile
    (``profile_not_found`` otherwise). Matching caches go stale, so
    ``profiles.profile_changed`` leaves through the outbox, as for a profile edit.
    """

    transaction: Transaction
    profile_values: ProfileValues
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal, answers: Mapping[str, object]) -> ValuesView:
        ratings = _ratings(answers)
        async with self.transaction:
            if not await self.profile_values.set_values(
                principal.user_id, ratings, self.clock.now()
            ):
                raise NotFound(
                    "Create your profile first (PUT /me/profile); the questionnaire sets "
                    "its values.",
                    code="profile_not_found",
                )
            self.outbox.add(ProfileChanged(user_id=principal.user_id))
            await self.transaction.commit()
        return ValuesView(
            values=ratings.as_mapping(),
            source=VALUES_QUESTIONNAIRE_KEY,
        )


def _ratings(answers: Mapping[str, object]) -> ValueRatings:
    errors: list[FieldError] = []
    parsed: dict[int, int] = {}
    for key, value in answers.items():
        field = f"answers.{key}"
        number = int(key) if key.isascii() and key.isdigit() else 0
        if not 1 <= number <= len(PVQ21_ESS_CODES) or str(number) != key:
            errors.append(FieldError(field, "There is no such item.", "unknown_item"))
        elif type(value) is not int or not 1 <= value <= len(PVQ21_SCALE):
            # bool is an int subclass, and True is no answer
            errors.append(
                FieldError(field, "Answer with a whole number from 1 to 6.", "out_of_range")
            )
        else:
            parsed[number] = value
    errors.extend(
        FieldError(f"answers.{number}", "Please answer every portrait.", "required")
        for number in range(1, len(PVQ21_ESS_CODES) + 1)
        if str(number) not in answers
    )
    if errors:
        raise ValidationFailed(errors, "Some answers are missing or invalid.")
    return ValueRatings.from_pvq21(parsed)
