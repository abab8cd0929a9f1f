"""Taking the attachment assessment and reading one's own results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from saltbitter.application.assessments.dto import (
    AssessmentHistoryItem,
    AssessmentView,
    DimensionPair,
    InsightsView,
    InstrumentItem,
    InstrumentView,
    LevelPair,
    MyAssessments,
    NormsView,
    ScaleLabel,
    ScaleView,
    SubmitAssessmentCommand,
)
from saltbitter.application.assessments.norms import (
    PRIORS,
    NormsPolicy,
    age_when_taken,
    scoring_norms,
)
from saltbitter.application.ports.assessments import (
    AssessmentRepository,
    MemberBirthdates,
    MemberConsents,
    NormsRepository,
    StoredAssessment,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import ConsentPurpose
from saltbitter.domain.attachment import (
    AssessmentResult,
    Instrument,
    Norms,
    score_assessment,
)
from saltbitter.domain.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

__all__ = [
    "INSTRUMENTS",
    "RETAKE_AFTER",
    "GetInstrument",
    "GetMyAssessments",
    "SubmitAssessment",
]

# Instruments offered to members, by key, each with its published priors. A short form
# joins only with norms of its own and its precision note.
INSTRUMENTS: Mapping[str, tuple[Instrument, Norms]] = PRIORS

# docs/product-rules.md 4: a retake is allowed 30 days after the previous assessment.
RETAKE_AFTER = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class GetInstrument:
    """The questionnaire as a client shows it: items, scale labels and instructions.

    Keying and subscales stay on the server: clients need neither to ask the questions,
    and scores are only ever computed here.
    """

    async def __call__(self, key: str) -> InstrumentView:
        known = INSTRUMENTS.get(key)
        if known is None:
            raise NotFound(f"There is no instrument {key!r}.", code="instrument_not_found")
        instrument = known[0]
        return InstrumentView(
            key=instrument.key,
            name=instrument.name,
            version=instrument.version,
            citation=instrument.citation,
            instructions=instrument.instructions,
            scale=ScaleView(
                minimum=instrument.scale.minimum,
                maximum=instrument.scale.maximum,
                labels=[ScaleLabel(value, label) for value, label in instrument.scale.anchors],
            ),
            items=[InstrumentItem(item.number, item.text) for item in instrument.items],
            max_missing_per_subscale=instrument.max_missing_per_subscale,
            is_short_form=instrument.is_short_form,
            precision_note=instrument.precision_note,
        )


@dataclass(frozen=True, slots=True)
class SubmitAssessment:
    """Score a member's answers and keep the result, next to any earlier ones.

    Attachment results are special-category data (GDPR Art. 9): the member must hold a
    current, explicit ``sensitive_data`` consent in the ledger, else ``consent_required``.
    A retake is allowed ``RETAKE_AFTER`` the previous assessment (``retake_too_soon``
    names the moment it becomes possible). Every missing or invalid answer is reported at
    once as ``answers.<item number>``. The raw answers are stored for the member and for
    rescoring against newer norms; matching reads only the derived scores.
    """

    transaction: Transaction
    assessments: AssessmentRepository
    consents: MemberConsents
    birthdates: MemberBirthdates
    norms: NormsRepository
    clock: Clock
    ids: IdGenerator
    norms_policy: NormsPolicy

    async def __call__(
        self, principal: Principal, command: SubmitAssessmentCommand
    ) -> AssessmentView:
        _ensure_verified(principal)
        known = INSTRUMENTS.get(command.instrument)
        if known is None:
            raise ValidationFailed.single(
                "instrument",
                f"Choose one of: {', '.join(sorted(INSTRUMENTS))}.",
                "unknown_instrument",
            )
        instrument = known[0]
        now = self.clock.now()
        async with self.transaction:
            # First statement of the transaction, so that everything after it reads current
            # data: without the lock two simultaneous submissions both pass the retake check.
            await self.assessments.lock_member(principal.user_id)
            consent = await self.consents.current(principal.user_id, ConsentPurpose.SENSITIVE_DATA)
            if consent is None or not consent.granted:
                raise PermissionDenied(
                    "Taking the assessment needs your explicit consent to process sensitive "
                    "data (PUT /me/consents/sensitive_data).",
                    code="consent_required",
                )
            previous = await self.assessments.latest(principal.user_id)
            if previous is not None and now < previous.taken_at + RETAKE_AFTER:
                retake_at = previous.taken_at + RETAKE_AFTER
                raise Conflict(
                    f"You can retake the assessment from {retake_at.isoformat()}.",
                    code="retake_too_soon",
                )
            age = await age_when_taken(self.birthdates, principal.user_id, now)
            norms = await scoring_norms(self.norms, instrument.key, self.norms_policy, age)
            answers, result = _scored(instrument, norms, command)
            record = StoredAssessment(
                id=self.ids.new_id(),
                user_id=principal.user_id,
                instrument=instrument.key,
                instrument_version=instrument.version,
                answers=answers,
                anxiety=result.anxiety,
                avoidance=result.avoidance,
                style=result.style,
                near_boundary=result.near_boundary,
                taken_at=now,
            )
            self.assessments.add(record)
            await self.transaction.commit()
        return _view(record, result)


@dataclass(frozen=True, slots=True)
class GetMyAssessments:
    """The caller's own latest result in full, plus the history of every assessment.

    The latest result is rescored from its stored answers, so percentiles and insights
    follow the platform's current norms. Nobody else can read these: there is no route
    to another member's results.
    """

    assessments: AssessmentRepository
    birthdates: MemberBirthdates
    norms: NormsRepository
    norms_policy: NormsPolicy

    async def __call__(self, principal: Principal) -> MyAssessments:
        history = await self.assessments.history(principal.user_id)
        if not history:
            return MyAssessments(latest=None)
        latest = history[0]
        age = await age_when_taken(self.birthdates, principal.user_id, latest.taken_at)
        norms = await scoring_norms(self.norms, latest.instrument, self.norms_policy, age)
        instrument = INSTRUMENTS[latest.instrument][0]
        result = score_assessment(instrument, latest.answers, norms)
        return MyAssessments(
            latest=_view(latest, result),
            history=[
                AssessmentHistoryItem(
                    id=record.id,
                    instrument=record.instrument,
                    taken_at=record.taken_at,
                    anxiety=record.anxiety,
                    avoidance=record.avoidance,
                    style=record.style,
                )
                for record in history
            ],
            next_retake_at=latest.taken_at + RETAKE_AFTER,
        )


def _ensure_verified(principal: Principal) -> None:
    if not principal.email_verified:
        raise PermissionDenied("Verify your email address first.", code="email_not_verified")


def _scored(
    instrument: Instrument, norms: Norms, command: SubmitAssessmentCommand
) -> tuple[dict[int, int], AssessmentResult]:
    """Item numbers from the JSON object's string keys, then the domain's scoring.

    Keys that are not item numbers and values that are not whole numbers are field
    errors here; range and completeness are the domain's to check. Both kinds are
    reported together, one per field, so a member fixes everything in one go.
    """
    errors: list[FieldError] = []
    answers: dict[int, int] = {}
    scale = instrument.scale
    for key, value in command.answers.items():
        field = f"answers.{key}"
        # Only canonical numbers: "01" would silently overwrite the answer given as "1".
        if not (key.isascii() and key.isdigit() and str(int(key)) == key):
            errors.append(FieldError(field, "There is no such item.", "unknown_item"))
        elif type(value) is not int:  # bool is an int subclass, and True is no answer
            errors.append(
                FieldError(
                    field,
                    f"Answer with a whole number from {scale.minimum} to {scale.maximum}.",
                    "out_of_range",
                )
            )
        else:
            answers[int(key)] = value
    try:
        result = score_assessment(instrument, answers, norms)
    except ValidationFailed as invalid:
        reported = {error.field for error in errors}
        errors.extend(error for error in invalid.errors if error.field not in reported)
    if errors:
        raise ValidationFailed(errors, "Some answers are missing or invalid.")
    return answers, result


def _view(record: StoredAssessment, result: AssessmentResult) -> AssessmentView:
    insights = result.insights
    return AssessmentView(
        id=record.id,
        instrument=record.instrument,
        instrument_version=record.instrument_version,
        taken_at=record.taken_at,
        anxiety=result.anxiety,
        avoidance=result.avoidance,
        style=result.style,
        near_boundary=result.near_boundary,
        nearest_other_style=result.nearest_other_style,
        percentiles=DimensionPair(result.anxiety_percentile, result.avoidance_percentile),
        levels=LevelPair(result.anxiety_level, result.avoidance_level),
        insights=InsightsView(
            summary=insights.summary,
            strengths=list(insights.strengths),
            growth_suggestions=list(insights.growth_suggestions),
            communication_tips=list(insights.communication_tips),
            support_resources=insights.support_resources,
            note=insights.note,
        ),
        imputed_items=list(result.imputed_items),
        norms=NormsView(result.norms_version, result.norms_are_priors),
        next_retake_at=record.taken_at + RETAKE_AFTER,
    )
