"""Reliability and norms of an instrument on the platform's own users (for engineers).

Implements docs/science.md 2.5 (Cronbach's alpha, the Feldt confidence interval, corrected
item-total correlations, alpha if item deleted, careless-responder filtering) and the
norming plan of docs/science.md 2.1 (means, SDs and percentiles by age band). Standard library
only: the F quantiles come from a regularized incomplete beta function and bisection.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed

from .instruments import Instrument, Subscale
from .norms import AgeBand, Norms, SubscaleNorm

__all__ = [
    "DEFAULT_CARELESSNESS_RULES",
    "CarelessReason",
    "CarelessnessRules",
    "ItemStatistics",
    "NormsReport",
    "ReliabilityReport",
    "ResponseRecord",
    "SubscaleReliability",
    "alpha_if_item_deleted",
    "careless_reasons",
    "compute_norms",
    "corrected_item_total_correlations",
    "cronbach_alpha",
    "f_cdf",
    "f_quantile",
    "feldt_interval",
    "regularized_incomplete_beta",
    "reliability_report",
]

# docs/science.md 2.4 "[D] Quality bar".
ALPHA_QUALITY_BAR = 0.85
ALPHA_INVESTIGATE_BELOW = 0.80
ITEM_TOTAL_REVIEW_BELOW = 0.30
# docs/science.md 2.5 step 6: about 200 complete responses per cell for a stable estimate.
DEFAULT_MIN_SAMPLE_SIZE = 200
DEFAULT_PERCENTILE_POINTS = (5, 10, 25, 50, 75, 90, 95)


# --- statistical primitives -------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _variance(values: Sequence[float]) -> float:
    """Sample variance (ddof = 1), two-pass for accuracy."""
    centre = _mean(values)
    return math.fsum((value - centre) ** 2 for value in values) / (len(values) - 1)


def _covariance(left: Sequence[float], right: Sequence[float]) -> float:
    left_mean, right_mean = _mean(left), _mean(right)
    return math.fsum(
        (a - left_mean) * (b - right_mean) for a, b in zip(left, right, strict=True)
    ) / (len(left) - 1)


def _check_matrix(rows: Sequence[Sequence[float]]) -> tuple[int, int]:
    n = len(rows)
    k = len(rows[0]) if rows else 0
    if n < 2 or k < 2:
        raise DomainRuleViolated(
            "Alpha needs at least 2 respondents and 2 items.", code="not_enough_data"
        )
    if any(len(row) != k for row in rows):
        raise DomainRuleViolated("Every respondent needs a value for every item.")
    return n, k


@dataclass(frozen=True, slots=True)
class _ItemMoments:
    item_variances: tuple[float, ...]
    item_total_covariances: tuple[float, ...]
    total_variance: float


def _moments(rows: Sequence[Sequence[float]]) -> _ItemMoments:
    _, k = _check_matrix(rows)
    columns = [[row[index] for row in rows] for index in range(k)]
    totals = [math.fsum(row) for row in rows]
    return _ItemMoments(
        item_variances=tuple(_variance(column) for column in columns),
        item_total_covariances=tuple(_covariance(column, totals) for column in columns),
        total_variance=_variance(totals),
    )


def _alpha_from(k: int, sum_item_variances: float, total_variance: float) -> float:
    if total_variance <= 0.0:
        raise DomainRuleViolated(
            "Alpha is undefined when every respondent has the same total score.",
            code="not_enough_variance",
        )
    return k / (k - 1) * (1.0 - sum_item_variances / total_variance)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float:
    """Cronbach's alpha of an n x k matrix of (already reverse-keyed) item scores.

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the total)
    (docs/science.md 2.5, formula [V]). Never mix subscales in one matrix (docs/science.md
    2.5 step 2).
    """
    moments = _moments(rows)
    return _alpha_from(
        len(moments.item_variances), math.fsum(moments.item_variances), moments.total_variance
    )


def corrected_item_total_correlations(rows: Sequence[Sequence[float]]) -> tuple[float | None, ...]:
    """Correlation of each item with the sum of the *other* items (docs/science.md 2.4, 2.5).

    ``None`` where a correlation is undefined (an item or the rest-score is constant).
    Uses cov(X, T - X) = cov(X, T) - var(X) and var(T - X) = var(T) + var(X) - 2 cov(X, T),
    so the whole table costs one pass over the data.
    """
    moments = _moments(rows)
    result: list[float | None] = []
    for variance, covariance in zip(
        moments.item_variances, moments.item_total_covariances, strict=True
    ):
        rest_variance = moments.total_variance + variance - 2.0 * covariance
        if variance <= 0.0 or rest_variance <= 1e-12 * max(moments.total_variance, 1.0):
            result.append(None)
            continue
        result.append((covariance - variance) / math.sqrt(variance * rest_variance))
    return tuple(result)


def alpha_if_item_deleted(rows: Sequence[Sequence[float]]) -> tuple[float | None, ...]:
    """Alpha of the remaining items when each item in turn is left out.

    ``None`` when only two items exist (one item has no alpha) or the rest is constant.
    """
    moments = _moments(rows)
    k = len(moments.item_variances)
    if k < 3:
        return tuple(None for _ in range(k))
    sum_variances = math.fsum(moments.item_variances)
    result: list[float | None] = []
    for variance, covariance in zip(
        moments.item_variances, moments.item_total_covariances, strict=True
    ):
        rest_variance = moments.total_variance + variance - 2.0 * covariance
        if rest_variance <= 1e-12 * max(moments.total_variance, 1.0):
            result.append(None)
            continue
        result.append(_alpha_from(k - 1, sum_variances - variance, rest_variance))
    return tuple(result)


# --- F distribution, for the Feldt interval -----------------------------------------

_CONTINUED_FRACTION_EPSILON = 1e-15
_CONTINUED_FRACTION_MAX_TERMS = 100_000
_TINY = 1e-300


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz method)."""
    sum_ab, a_plus, a_minus = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - sum_ab * x / a_plus
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    fraction = d
    for m in range(1, _CONTINUED_FRACTION_MAX_TERMS + 1):
        two_m = 2 * m
        # Even step.
        numerator = m * (b - m) * x / ((a_minus + two_m) * (a + two_m))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + numerator / c
        c = c if abs(c) > _TINY else _TINY
        fraction *= d * c
        # Odd step.
        numerator = -(a + m) * (sum_ab + m) * x / ((a + two_m) * (a_plus + two_m))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + numerator / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        fraction *= delta
        if abs(delta - 1.0) < _CONTINUED_FRACTION_EPSILON:
            return fraction
    raise ArithmeticError("The incomplete beta continued fraction did not converge.")


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the CDF of a Beta(a, b) variable at ``x`` (a, b > 0)."""
    if a <= 0.0 or b <= 0.0:
        raise ValueError("Beta parameters must be positive.")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        a * math.log(x)
        + b * math.log1p(-x)
        - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    )
    front = math.exp(log_front)
    # The continued fraction converges fast below the mean; use symmetry above it.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1.0 - front * _beta_continued_fraction(1.0 - x, b, a) / b


def f_cdf(x: float, df1: float, df2: float) -> float:
    """P(F <= x) for an F(df1, df2) variable, via I_{df1 x / (df1 x + df2)}(df1/2, df2/2)."""
    if x <= 0.0:
        return 0.0
    return regularized_incomplete_beta(df1 * x / (df1 * x + df2), df1 / 2.0, df2 / 2.0)


def f_quantile(probability: float, df1: float, df2: float) -> float:
    """The x with P(F(df1, df2) <= x) = ``probability``, by bisection on the beta scale.

    Bisection is slow but cannot diverge; 200 halvings exhaust double precision.
    """
    if not 0.0 < probability < 1.0:
        raise ValueError("probability must lie strictly between 0 and 1.")
    if df1 <= 0.0 or df2 <= 0.0:
        raise ValueError("degrees of freedom must be positive.")
    low, high = 0.0, 1.0
    half_df1, half_df2 = df1 / 2.0, df2 / 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if regularized_incomplete_beta(middle, half_df1, half_df2) < probability:
            low = middle
        else:
            high = middle
    beta_point = (low + high) / 2.0
    return df2 * beta_point / (df1 * (1.0 - beta_point))


def feldt_interval(alpha: float, n: int, k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) confidence interval for Cronbach's alpha.

    L = 1 - (1 - alpha) F(1 - c/2), U = 1 - (1 - alpha) F(c/2) with c = 1 - confidence,
    F with df1 = n - 1 and df2 = (n - 1)(k - 1) (docs/science.md 2.5 [V]).
    """
    if n < 2 or k < 2:
        raise DomainRuleViolated(
            "The interval needs at least 2 respondents and 2 items.", code="not_enough_data"
        )
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1.")
    tail = (1.0 - confidence) / 2.0
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * f_quantile(1.0 - tail, df1, df2)
    upper = 1.0 - (1.0 - alpha) * f_quantile(tail, df1, df2)
    return lower, upper


# --- stored responses and careless responding ---------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """One stored completion of an instrument (raw answers, before reverse keying)."""

    answers: Mapping[int, int]
    age: int | None = None
    duration_seconds: float | None = None

    def __post_init__(self) -> None:
        # Copy into a read-only view so a stored record cannot change under a report.
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))


class CarelessReason(StrEnum):
    STRAIGHT_LINING = "straight_lining"
    LONG_IDENTICAL_RUN = "long_identical_run"
    TOO_FAST = "too_fast"


@dataclass(frozen=True, slots=True)
class CarelessnessRules:
    """When a response is dropped before reliability and norms (docs/science.md 2.5 step 5).

    - straight-lining: the same raw answer on every item (reverse items then contradict);
    - ``max_identical_run``: this many identical answers in a row, in item order. A
      genuine ECR-R respondent rarely exceeds about 8 because keying alternates; 15 is a
      conservative judgment call [D]. Note that 4 is its own reverse, so answering
      "neutral" to a whole subscale counts as a run;
    - ``min_seconds_per_item``: completion faster than about 2 s per item.
    """

    max_identical_run: int = 15
    min_seconds_per_item: float = 2.0


DEFAULT_CARELESSNESS_RULES = CarelessnessRules()


def careless_reasons(
    instrument: Instrument,
    record: ResponseRecord,
    rules: CarelessnessRules = DEFAULT_CARELESSNESS_RULES,
) -> frozenset[CarelessReason]:
    """Why ``record`` looks careless; empty when it looks genuine."""
    reasons: set[CarelessReason] = set()
    ordered = [
        record.answers[item.number] for item in instrument.items if item.number in record.answers
    ]
    if len(ordered) == len(instrument.items) and len(set(ordered)) == 1:
        reasons.add(CarelessReason.STRAIGHT_LINING)
    if _longest_run(ordered) >= rules.max_identical_run:
        reasons.add(CarelessReason.LONG_IDENTICAL_RUN)
    if (
        record.duration_seconds is not None
        and record.duration_seconds < rules.min_seconds_per_item * len(instrument.items)
    ):
        reasons.add(CarelessReason.TOO_FAST)
    return frozenset(reasons)


def _longest_run(values: Sequence[int]) -> int:
    longest = current = 0
    previous: int | None = None
    for value in values:
        current = current + 1 if value == previous else 1
        previous = value
        longest = max(longest, current)
    return longest


@dataclass(frozen=True, slots=True)
class _Screened:
    complete: tuple[ResponseRecord, ...]
    incomplete_count: int
    careless_count: int


def _screen(
    instrument: Instrument,
    records: Iterable[ResponseRecord],
    rules: CarelessnessRules | None,
) -> _Screened:
    """Keep complete, valid, non-careless responses (listwise deletion, docs/science.md 2.5)."""
    kept: list[ResponseRecord] = []
    incomplete = careless = 0
    numbers = [item.number for item in instrument.items]
    for record in records:
        if not all(
            type(record.answers.get(number)) is int
            and instrument.scale.contains(record.answers[number])
            for number in numbers
        ):
            incomplete += 1
        elif rules is not None and careless_reasons(instrument, record, rules):
            careless += 1
        else:
            kept.append(record)
    return _Screened(tuple(kept), incomplete, careless)


def _keyed_rows(
    instrument: Instrument, records: Sequence[ResponseRecord], subscale: Subscale
) -> list[list[float]]:
    items = instrument.items_in(subscale)
    return [
        [float(instrument.keyed(item, record.answers[item.number])) for item in items]
        for record in records
    ]


# --- reliability report --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemStatistics:
    item_number: int
    mean: float
    sd: float
    corrected_item_total: float | None
    alpha_if_deleted: float | None


@dataclass(frozen=True, slots=True)
class SubscaleReliability:
    subscale: Subscale
    n: int
    k: int
    alpha: float
    confidence: float
    alpha_lower: float
    alpha_upper: float
    items: tuple[ItemStatistics, ...]

    @property
    def meets_quality_bar(self) -> bool:
        """Alpha >= .85 on the platform's population (docs/science.md 2.4 [D])."""
        return self.alpha >= ALPHA_QUALITY_BAR

    @property
    def needs_investigation(self) -> bool:
        """Alpha below .80, or an item with a corrected item-total r below .30 or undefined.

        A negative item-total correlation "almost always means a reverse-keying bug"
        (docs/science.md 2.4).
        """
        return self.alpha < ALPHA_INVESTIGATE_BELOW or bool(self.items_to_review)

    @property
    def items_to_review(self) -> tuple[int, ...]:
        return tuple(
            item.item_number
            for item in self.items
            if item.corrected_item_total is None
            or item.corrected_item_total < ITEM_TOTAL_REVIEW_BELOW
        )


@dataclass(frozen=True, slots=True)
class ReliabilityReport:
    instrument_key: str
    instrument_version: str
    responses_seen: int
    responses_used: int
    excluded_incomplete: int
    excluded_careless: int
    subscales: tuple[SubscaleReliability, ...]

    def for_subscale(self, subscale: Subscale) -> SubscaleReliability:
        return next(report for report in self.subscales if report.subscale is subscale)


def reliability_report(
    instrument: Instrument,
    records: Iterable[ResponseRecord],
    *,
    confidence: float = 0.95,
    carelessness: CarelessnessRules | None = DEFAULT_CARELESSNESS_RULES,
) -> ReliabilityReport:
    """Alpha with a Feldt CI, item-total correlations and alpha-if-deleted per subscale.

    Follows docs/science.md 2.5 "[D] Procedure": complete responses only, reverse keying
    first, careless responders dropped (pass ``carelessness=None`` to keep them), one
    alpha per subscale.
    """
    records = tuple(records)
    screened = _screen(instrument, records, carelessness)
    subscale_reports = []
    for subscale in Subscale:
        rows = _keyed_rows(instrument, screened.complete, subscale)
        n, k = _check_matrix(rows)
        alpha = cronbach_alpha(rows)
        lower, upper = feldt_interval(alpha, n, k, confidence)
        correlations = corrected_item_total_correlations(rows)
        alphas_deleted = alpha_if_item_deleted(rows)
        items = instrument.items_in(subscale)
        subscale_reports.append(
            SubscaleReliability(
                subscale=subscale,
                n=n,
                k=k,
                alpha=alpha,
                confidence=confidence,
                alpha_lower=lower,
                alpha_upper=upper,
                items=tuple(
                    ItemStatistics(
                        item_number=item.number,
                        mean=_mean(column),
                        sd=math.sqrt(_variance(column)),
                        corrected_item_total=correlation,
                        alpha_if_deleted=alpha_deleted,
                    )
                    for item, column, correlation, alpha_deleted in zip(
                        items,
                        ([row[index] for row in rows] for index in range(k)),
                        correlations,
                        alphas_deleted,
                        strict=True,
                    )
                ),
            )
        )
    return ReliabilityReport(
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        responses_seen=len(records),
        responses_used=len(screened.complete),
        excluded_incomplete=screened.incomplete_count,
        excluded_careless=screened.careless_count,
        subscales=tuple(subscale_reports),
    )


# --- norms ---------------------------------------------------------------------------


def _percentile_point(sorted_values: Sequence[float], percent: float) -> float:
    """Linear interpolation between order statistics (Hyndman & Fan type 7)."""
    position = (len(sorted_values) - 1) * percent / 100.0
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    weight = position - below
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * weight


@dataclass(frozen=True, slots=True)
class NormsReport:
    """Platform norms: overall, and per age band where a band has enough responses."""

    overall: Norms
    by_age_band: tuple[Norms, ...]
    insufficient_bands: tuple[AgeBand, ...]
    responses_seen: int
    excluded_incomplete: int
    excluded_careless: int
    # Complete responses without a recorded age count for the overall norms only.
    without_age: int = field(default=0)

    def for_age(self, age: int | None) -> Norms:
        """The age band's norms when available, otherwise the overall norms."""
        if age is None:
            return self.overall
        band = AgeBand.for_age(age)
        return next((norms for norms in self.by_age_band if norms.age_band is band), self.overall)


def compute_norms(
    instrument: Instrument,
    records: Iterable[ResponseRecord],
    *,
    version: str,
    min_sample_size: int = DEFAULT_MIN_SAMPLE_SIZE,
    percentile_points: Sequence[int] = DEFAULT_PERCENTILE_POINTS,
    carelessness: CarelessnessRules | None = DEFAULT_CARELESSNESS_RULES,
) -> NormsReport:
    """Means, SDs, alphas and percentiles of both subscales, overall and by age band.

    docs/science.md 2.1 "[D] Norming plan": age bands 18-24, 25-29, 30-39, 40-49, 50+, norms
    versioned and recomputed regularly; docs/science.md 2.5: complete, careful responses only.
    Bands with fewer than ``min_sample_size`` responses (or no spread) are listed as
    insufficient and fall back to the overall norms. A negative alpha is refused: it
    almost always means a reverse-keying bug (docs/science.md 2.4), and such norms would hide it.
    """
    if min_sample_size < 2:
        raise ValidationFailed.single("min_sample_size", "Norms need at least 2 responses.")
    records = tuple(records)
    screened = _screen(instrument, records, carelessness)
    if len(screened.complete) < min_sample_size:
        raise DomainRuleViolated(
            f"Norms need at least {min_sample_size} complete responses; "
            f"found {len(screened.complete)}.",
            code="not_enough_data",
        )
    overall = _norms_for(instrument, screened.complete, version, percentile_points, None)
    by_band: list[Norms] = []
    insufficient: list[AgeBand] = []
    for band in AgeBand:
        members = tuple(
            record
            for record in screened.complete
            if record.age is not None and AgeBand.for_age(record.age) is band
        )
        if len(members) < min_sample_size:
            insufficient.append(band)
            continue
        try:
            by_band.append(_norms_for(instrument, members, version, percentile_points, band))
        except DomainRuleViolated as error:
            # A band whose scores do not vary cannot define z-scores; it falls back.
            if error.code != "not_enough_variance":
                raise
            insufficient.append(band)
    return NormsReport(
        overall=overall,
        by_age_band=tuple(by_band),
        insufficient_bands=tuple(insufficient),
        responses_seen=len(records),
        excluded_incomplete=screened.incomplete_count,
        excluded_careless=screened.careless_count,
        without_age=sum(1 for record in screened.complete if record.age is None),
    )


def _norms_for(
    instrument: Instrument,
    records: Sequence[ResponseRecord],
    version: str,
    percentile_points: Sequence[int],
    band: AgeBand | None,
) -> Norms:
    subscale_norms: dict[Subscale, SubscaleNorm] = {}
    for subscale in Subscale:
        rows = _keyed_rows(instrument, records, subscale)
        scores = [_mean(row) for row in rows]
        sd = math.sqrt(_variance(scores))
        if sd <= 0.0:
            raise DomainRuleViolated(
                f"Every {subscale.value} score is the same; norms need spread.",
                code="not_enough_variance",
            )
        # Perfectly parallel items give 1 + rounding error; alpha cannot exceed 1.
        alpha = min(cronbach_alpha(rows), 1.0)
        if alpha < 0.0:
            raise DomainRuleViolated(
                f"The {subscale.value} alpha is negative ({alpha:.3f}); check the reverse "
                "keying before publishing norms.",
                code="unreliable_subscale",
            )
        ordered = sorted(scores)
        subscale_norms[subscale] = SubscaleNorm(
            mean=_mean(scores),
            sd=sd,
            alpha=alpha,
            percentiles=tuple(
                (point, _percentile_point(ordered, point)) for point in percentile_points
            ),
        )
    return Norms(
        instrument_key=instrument.key,
        anxiety=subscale_norms[Subscale.ANXIETY],
        avoidance=subscale_norms[Subscale.AVOIDANCE],
        version=version,
        source=(
            f"Platform norms from {len(records)} complete responses"
            + (f", age band {band.value}" if band is not None else "")
            + f" ({instrument.key} {instrument.version})."
        ),
        is_prior=False,
        sample_size=len(records),
        age_band=band,
    )
