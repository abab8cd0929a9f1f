"""Scoring an attachment assessment: dimensions first, label second (docs/science.md 0.4, 2.2)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from saltbitter.domain.errors import DomainRuleViolated, FieldError, ValidationFailed

from .insights import AttachmentStyle, DimensionLevel, Insights, build_insights
from .instruments import Instrument, Subscale
from .norms import DEFAULT_NORMS, Norms, SubscaleNorm

__all__ = [
    "DEFAULT_RULES",
    "AssessmentResult",
    "ClassificationRules",
    "classify",
    "normal_percentile",
    "score_assessment",
    "subscale_means",
]


@dataclass(frozen=True, slots=True)
class ClassificationRules:
    """Judgment calls of the classification, in z units against the norms.

    - ``style_cut_z``: a dimension counts as high when z > this. docs/science.md 2.2 step 2
      recommends the sign of z (0.0), or 0.5 if the product wants "secure" to be the
      plurality.
    - ``low_below_z`` / ``high_from_z``: bands for the per-dimension reflections;
      z >= +1 "flags clearly elevated insecurity" (docs/science.md 2.2, method c). [D]
    - ``support_*``: when the support-resources pointer is shown: anxiety about two SDs
      above the norm (about the 98th percentile), or both dimensions 1.5 SDs above. [D]
    """

    style_cut_z: float = 0.0
    low_below_z: float = -0.5
    high_from_z: float = 1.0
    support_anxiety_from_z: float = 2.0
    support_both_from_z: float = 1.5

    def __post_init__(self) -> None:
        if not self.low_below_z < self.high_from_z:
            raise DomainRuleViolated("The low band must end below the high band.")

    def level(self, z: float) -> DimensionLevel:
        if z < self.low_below_z:
            return DimensionLevel.LOW
        if z >= self.high_from_z:
            return DimensionLevel.HIGH
        return DimensionLevel.MODERATE


DEFAULT_RULES = ClassificationRules()


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """The outcome of one assessment.

    ``anxiety`` and ``avoidance`` are unrounded means on the instrument's scale (1-7 for
    the ECR-R); percentiles are 0-100 from the normal CDF of the z-scores. ``style`` is a
    summary of the two dimensions; ``near_boundary`` says the label could flip within the
    measurement error, and ``nearest_other_style`` names the neighbouring quadrant then.
    """

    instrument_key: str
    anxiety: float
    avoidance: float
    anxiety_z: float
    avoidance_z: float
    anxiety_percentile: float
    avoidance_percentile: float
    anxiety_level: DimensionLevel
    avoidance_level: DimensionLevel
    style: AttachmentStyle
    near_boundary: bool
    nearest_other_style: AttachmentStyle | None
    imputed_items: tuple[int, ...]
    norms_version: str
    norms_are_priors: bool
    insights: Insights


def classify(anxiety_z: float, avoidance_z: float, cut_z: float = 0.0) -> AttachmentStyle:
    """Quadrant label from the z-scores (docs/science.md 2.2, method b and step 2)."""
    anxious = anxiety_z > cut_z
    avoidant = avoidance_z > cut_z
    if anxious and avoidant:
        return AttachmentStyle.FEARFUL
    if anxious:
        return AttachmentStyle.ANXIOUS
    if avoidant:
        return AttachmentStyle.AVOIDANT
    return AttachmentStyle.SECURE


def normal_percentile(z: float) -> float:
    """Percentile (0-100) of ``z`` under the standard normal CDF."""
    return 50.0 * (1.0 + math.erf(z / math.sqrt(2.0)))


Answers = Mapping[int, int] | Mapping[str, int]
"""Item number -> answer; the number may also be its decimal string ("1".."36"), as the
keys of a JSON object are."""


def _by_item_number(answers: Answers) -> tuple[dict[int | str, int], list[FieldError]]:
    """Canonical decimal strings ("7", not "07" or " 7") become item numbers; any other
    key stays as given and is reported as an unknown item."""
    normalised: dict[int | str, int] = {}
    errors: list[FieldError] = []
    for key, answer in answers.items():
        number: int | str = key
        if isinstance(key, str) and key.isascii() and key.isdigit() and str(int(key)) == key:
            number = int(key)
        if number in normalised:
            errors.append(FieldError(f"answers.{number}", "Answer each item once.", "duplicate"))
        normalised[number] = answer
    return normalised, errors


def subscale_means(
    instrument: Instrument, answers: Answers
) -> tuple[dict[Subscale, float], tuple[int, ...]]:
    """Validate ``answers`` and return each subscale's mean and the imputed item numbers.

    Reverse-keyed items are recoded first; up to ``instrument.max_missing_per_subscale``
    missing items per subscale are imputed with the person's mean of the answered
    (keyed) items of that subscale (docs/science.md 1.1, Missing data).

    Raises ``ValidationFailed`` with one ``answers.<n>`` field per problem.
    """
    by_number, errors = _by_item_number(answers)
    errors.extend(_answer_errors(instrument, by_number))
    means: dict[Subscale, float] = {}
    imputed: list[int] = []
    for subscale in Subscale:
        items = instrument.items_in(subscale)
        missing = [item.number for item in items if item.number not in by_number]
        if len(missing) > instrument.max_missing_per_subscale:
            errors.extend(
                FieldError(
                    f"answers.{number}",
                    f"Please answer this item: at most {instrument.max_missing_per_subscale} "
                    f"{subscale.value} items may be left out.",
                    "required",
                )
                for number in missing
            )
            continue
        if errors:
            continue
        keyed: list[float] = [
            instrument.keyed(item, by_number[item.number])
            for item in items
            if item.number in by_number
        ]
        person_mean = math.fsum(keyed) / len(keyed)
        # Imputing the person mean keeps the mean unchanged; it is spelled out so the
        # imputed item list and the arithmetic stay obviously tied to the research rule.
        keyed.extend(person_mean for _ in missing)
        means[subscale] = math.fsum(keyed) / len(keyed)
        imputed.extend(missing)
    if errors:
        raise ValidationFailed(errors, "Some answers are missing or invalid.")
    return means, tuple(sorted(imputed))


def score_assessment(
    instrument: Instrument,
    answers: Answers,
    norms: Norms = DEFAULT_NORMS,
    rules: ClassificationRules = DEFAULT_RULES,
) -> AssessmentResult:
    """Score answers (item number -> 1..7), compare them with the norms, write insights.

    Item numbers may be ints or their decimal strings (``{"1": 5, "2": 3}``, as JSON
    gives them); anything else is an ``unknown_item`` error.

    Steps (docs/science.md 2.2, "[D] Recommended in-app classification"): subscale means,
    z-scores against ``norms``, normal-CDF percentiles, a quadrant label, and a
    near-boundary flag when either |z - cut| <= SEM / SD = sqrt(1 - alpha).

    Norms must belong to the same instrument: scores from different forms are not on
    the same metric (docs/science.md 1.2), so mixing them raises ``norms_mismatch``.
    """
    if norms.instrument_key != instrument.key:
        raise DomainRuleViolated(
            f"Norms for {norms.instrument_key!r} cannot score {instrument.key!r}.",
            code="norms_mismatch",
        )
    means, imputed = subscale_means(instrument, answers)
    anxiety = means[Subscale.ANXIETY]
    avoidance = means[Subscale.AVOIDANCE]
    anxiety_z = norms.anxiety.z_score(anxiety)
    avoidance_z = norms.avoidance.z_score(avoidance)
    style = classify(anxiety_z, avoidance_z, rules.style_cut_z)
    nearest_other = _nearest_other_style(
        anxiety_z, avoidance_z, norms.anxiety, norms.avoidance, rules.style_cut_z
    )
    anxiety_level = rules.level(anxiety_z)
    avoidance_level = rules.level(avoidance_z)
    show_support = anxiety_z >= rules.support_anxiety_from_z or (
        min(anxiety_z, avoidance_z) >= rules.support_both_from_z
    )
    return AssessmentResult(
        instrument_key=instrument.key,
        anxiety=anxiety,
        avoidance=avoidance,
        anxiety_z=anxiety_z,
        avoidance_z=avoidance_z,
        anxiety_percentile=normal_percentile(anxiety_z),
        avoidance_percentile=normal_percentile(avoidance_z),
        anxiety_level=anxiety_level,
        avoidance_level=avoidance_level,
        style=style,
        near_boundary=nearest_other is not None,
        nearest_other_style=nearest_other,
        imputed_items=imputed,
        norms_version=norms.version,
        norms_are_priors=norms.is_prior,
        insights=build_insights(
            style=style,
            anxiety_level=anxiety_level,
            avoidance_level=avoidance_level,
            nearest_other_style=nearest_other,
            show_support_resources=show_support,
        ),
    )


def _answer_errors(instrument: Instrument, answers: Mapping[int | str, int]) -> list[FieldError]:
    errors: list[FieldError] = []
    item_count = len(instrument.items)
    scale = instrument.scale
    for number, answer in answers.items():
        field = f"answers.{number}"
        if type(number) is not int or not 1 <= number <= item_count:
            errors.append(FieldError(field, "There is no such item.", "unknown_item"))
        # bool is an int subclass; True is not an answer.
        elif type(answer) is not int or not scale.contains(answer):
            errors.append(
                FieldError(
                    field,
                    f"Answer with a whole number from {scale.minimum} to {scale.maximum}.",
                    "out_of_range",
                )
            )
    return errors


def _nearest_other_style(
    anxiety_z: float,
    avoidance_z: float,
    anxiety_norm: SubscaleNorm,
    avoidance_norm: SubscaleNorm,
    cut_z: float,
) -> AttachmentStyle | None:
    """The quadrant reached by crossing the closest boundary within measurement error."""
    anxiety_margin = abs(anxiety_z - cut_z) / _nonzero(anxiety_norm.standard_error_in_z)
    avoidance_margin = abs(avoidance_z - cut_z) / _nonzero(avoidance_norm.standard_error_in_z)
    anxiety_close = abs(anxiety_z - cut_z) <= anxiety_norm.standard_error_in_z
    avoidance_close = abs(avoidance_z - cut_z) <= avoidance_norm.standard_error_in_z
    if not (anxiety_close or avoidance_close):
        return None
    anxious = anxiety_z > cut_z
    avoidant = avoidance_z > cut_z
    # Flip the dimension that is closest to its boundary, measured in SEMs.
    if anxiety_close and (not avoidance_close or anxiety_margin <= avoidance_margin):
        anxious = not anxious
    else:
        avoidant = not avoidant
    return classify(1.0 if anxious else -1.0, 1.0 if avoidant else -1.0)


def _nonzero(value: float) -> float:
    # A perfectly reliable subscale (alpha = 1) has zero SEM; only an exact tie is close.
    return value if value > 0.0 else math.ulp(0.0)
