"""Reliability statistics checked against hand computations, closed forms and identities."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from saltbitter.domain.attachment import ECR_R, ResponseRecord, Subscale, reliability_report
from saltbitter.domain.attachment.psychometrics import (
    CarelessnessRules,
    CarelessReason,
    alpha_if_item_deleted,
    careless_reasons,
    corrected_item_total_correlations,
    cronbach_alpha,
    f_cdf,
    f_quantile,
    feldt_interval,
    regularized_incomplete_beta,
)
from saltbitter.domain.errors import DomainRuleViolated
from saltbitter.testing.strategies.attachment import answer_sets_for_population

Matrix = list[list[float]]


def matrices(min_rows: int = 3, min_cols: int = 2, max_cols: int = 6) -> st.SearchStrategy[Matrix]:
    return st.integers(min_cols, max_cols).flatmap(
        lambda k: st.lists(
            st.lists(st.integers(1, 7).map(float), min_size=k, max_size=k),
            min_size=min_rows,
            max_size=12,
        )
    )


def total_variance(rows: Matrix) -> float:
    return statistics.variance([sum(row) for row in rows])


# --- Cronbach's alpha --------------------------------------------------------------


def test_alpha_of_a_hand_computed_two_item_example() -> None:
    # x = (1, 2, 3), y = (1, 3, 2): var x = var y = 1; totals (2, 5, 5) have variance 3.
    # alpha = 2 / 1 * (1 - 2 / 3) = 2 / 3.
    assert cronbach_alpha([[1, 1], [2, 3], [3, 2]]) == pytest.approx(2 / 3)


def test_alpha_of_uncorrelated_items_is_zero() -> None:
    # x = (1, 1, 2, 2), y = (1, 2, 1, 2): covariance 0, so var(total) = var x + var y.
    assert cronbach_alpha([[1, 1], [1, 2], [2, 1], [2, 2]]) == pytest.approx(0.0, abs=1e-12)


@given(
    st.lists(st.integers(1, 7), min_size=2, max_size=30),
    st.lists(st.integers(-3, 3), min_size=2, max_size=8),
)
def test_alpha_of_perfectly_parallel_items_is_one(column: list[int], shifts: list[int]) -> None:
    # Every item is the same true score plus a constant: no error variance at all.
    assume(len(set(column)) > 1)
    rows = [[value + shift for shift in shifts] for value in column]
    assert cronbach_alpha(rows) == pytest.approx(1.0)


@given(matrices())
def test_alpha_never_exceeds_one_and_matches_the_covariance_matrix_form(rows: Matrix) -> None:
    assume(total_variance(rows) > 0)
    k = len(rows[0])
    columns = list(zip(*rows, strict=True))
    covariance = [[statistics.covariance(a, b) for b in columns] for a in columns]
    trace = sum(covariance[i][i] for i in range(k))
    total = sum(map(sum, covariance))
    alpha = cronbach_alpha(rows)
    assert alpha <= 1.0 + 1e-12
    assert alpha == pytest.approx(k / (k - 1) * (1 - trace / total), abs=1e-9)


@given(matrices(), st.integers(-5, 5), st.integers(1, 4))
def test_alpha_ignores_item_shifts_and_common_rescaling(
    rows: Matrix, shift: int, factor: int
) -> None:
    assume(total_variance(rows) > 0)
    changed = [[factor * value + shift * index for index, value in enumerate(row)] for row in rows]
    assert cronbach_alpha(changed) == pytest.approx(cronbach_alpha(rows), abs=1e-9)


@given(matrices(min_cols=2, max_cols=2))
def test_two_item_alpha_is_the_flanagan_rulon_split_half(rows: Matrix) -> None:
    assume(total_variance(rows) > 0)
    left, right = zip(*rows, strict=True)
    difference_variance = statistics.variance([a - b for a, b in rows])
    # Rulon: 1 - var(difference) / var(total); equal to alpha for two halves.
    expected = 1 - difference_variance / total_variance(rows)
    assert len(left) == len(right)
    assert cronbach_alpha(rows) == pytest.approx(expected, abs=1e-9)


def test_alpha_needs_variance_and_enough_data() -> None:
    with pytest.raises(DomainRuleViolated) as caught:
        cronbach_alpha([[3, 3], [3, 3]])
    assert caught.value.code == "not_enough_variance"
    with pytest.raises(DomainRuleViolated):
        cronbach_alpha([[1, 2]])
    with pytest.raises(DomainRuleViolated):
        cronbach_alpha([[1, 2], [3]])


@given(matrices(min_cols=3))
def test_corrected_item_total_is_the_correlation_with_the_other_items(rows: Matrix) -> None:
    correlations = corrected_item_total_correlations(rows)
    for index, correlation in enumerate(correlations):
        item = [row[index] for row in rows]
        rest = [sum(row) - row[index] for row in rows]
        if len(set(item)) == 1 or len(set(rest)) == 1:
            assert correlation is None
        else:
            assert correlation == pytest.approx(statistics.correlation(item, rest), abs=1e-9)


@given(matrices(min_cols=3))
def test_alpha_if_item_deleted_equals_alpha_of_the_remaining_items(rows: Matrix) -> None:
    for index, deleted_alpha in enumerate(alpha_if_item_deleted(rows)):
        remaining = [row[:index] + row[index + 1 :] for row in rows]
        if total_variance(remaining) == 0:
            assert deleted_alpha is None
        else:
            assert deleted_alpha == pytest.approx(cronbach_alpha(remaining), abs=1e-9)


def test_alpha_if_item_deleted_is_undefined_with_two_items() -> None:
    assert alpha_if_item_deleted([[1, 1], [2, 3], [3, 2]]) == (None, None)


# --- incomplete beta and F distribution --------------------------------------------

probabilities = st.floats(0.001, 0.999)
degrees = st.integers(1, 300)


@given(st.floats(0.001, 0.999), st.floats(0.1, 50))
def test_incomplete_beta_closed_forms(x: float, a: float) -> None:
    # I_x(a, 1) = x^a and I_x(1, b) = 1 - (1 - x)^b.
    assert regularized_incomplete_beta(x, a, 1.0) == pytest.approx(x**a, rel=1e-9, abs=1e-13)
    assert regularized_incomplete_beta(x, 1.0, a) == pytest.approx(
        1 - (1 - x) ** a, rel=1e-9, abs=1e-13
    )


@given(st.floats(0.001, 0.999), st.floats(0.1, 500), st.floats(0.1, 500))
def test_incomplete_beta_symmetry(x: float, a: float, b: float) -> None:
    forward = regularized_incomplete_beta(x, a, b)
    mirrored = regularized_incomplete_beta(1 - x, b, a)
    assert forward + mirrored == pytest.approx(1.0, abs=1e-9)
    assert regularized_incomplete_beta(0.5, a, a) == pytest.approx(0.5, abs=1e-9)


@given(probabilities, degrees)
def test_f_quantile_matches_the_closed_form_for_two_numerator_df(p: float, df2: int) -> None:
    # F(2, d2) has CDF 1 - (1 + 2x/d2)^(-d2/2), so x_p = d2/2 * ((1 - p)^(-2/d2) - 1).
    expected = df2 / 2 * ((1 - p) ** (-2 / df2) - 1)
    assert f_quantile(p, 2, df2) == pytest.approx(expected, rel=1e-8)


@given(probabilities, degrees)
def test_f_quantile_matches_the_closed_form_for_two_denominator_df(p: float, df1: int) -> None:
    # F(d1, 2) has CDF (d1 x / (d1 x + 2))^(d1/2), so with u = p^(2/d1): x = 2u / (d1(1-u)).
    u = p ** (2 / df1)
    assert f_quantile(p, df1, 2) == pytest.approx(2 * u / (df1 * (1 - u)), rel=1e-7)


@given(probabilities)
def test_f_one_one_is_a_squared_cauchy(p: float) -> None:
    # F(1, 1) = t_1^2 and t_1 is Cauchy: x_p = tan(pi * p / 2)^2.
    assert f_quantile(p, 1, 1) == pytest.approx(math.tan(math.pi * p / 2) ** 2, rel=1e-8)


@settings(max_examples=50)
@given(probabilities, degrees, degrees)
def test_f_quantile_inverts_the_cdf_and_obeys_the_reciprocal_law(
    p: float, df1: int, df2: int
) -> None:
    x = f_quantile(p, df1, df2)
    assert f_cdf(x, df1, df2) == pytest.approx(p, abs=1e-10)
    assert x == pytest.approx(1 / f_quantile(1 - p, df2, df1), rel=1e-8)


@pytest.mark.parametrize(
    ("p", "df1", "df2", "table_value"),
    [
        (0.95, 5, 10, 3.3258),  # standard F table, upper 5%
        (0.95, 10, 20, 2.3479),
        (0.99, 4, 30, 4.0179),
        (0.95, 1, 10, 2.2281**2),  # F(1, d) = t_d^2; t_{.975, 10} = 2.2281
        (0.95, 1, 30, 2.0423**2),  # t_{.975, 30} = 2.0423
    ],
)
def test_f_quantile_matches_printed_tables(
    p: float, df1: int, df2: int, table_value: float
) -> None:
    assert f_quantile(p, df1, df2) == pytest.approx(table_value, abs=2e-3)


def test_f_quantile_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError, match="probability"):
        f_quantile(1.0, 2, 2)
    with pytest.raises(ValueError, match="degrees"):
        f_quantile(0.5, 0, 2)


# --- Feldt interval ----------------------------------------------------------------


def test_feldt_interval_by_hand_for_two_by_two_degrees_of_freedom() -> None:
    # n = 3, k = 2 -> F(2, 2), whose CDF is x / (1 + x): F(.975) = 39 and F(.025) = 1/39.
    lower, upper = feldt_interval(0.8, n=3, k=2)
    assert lower == pytest.approx(1 - 0.2 * 39)
    assert upper == pytest.approx(1 - 0.2 / 39)


@settings(max_examples=40)
@given(st.floats(0.0, 0.99), st.integers(10, 2000), st.integers(2, 40))
def test_feldt_interval_brackets_alpha_and_narrows_with_more_people(
    alpha: float, n: int, k: int
) -> None:
    lower, upper = feldt_interval(alpha, n, k)
    assert lower < alpha < upper <= 1.0
    wider_lower, wider_upper = feldt_interval(alpha, n, k, confidence=0.99)
    assert wider_lower < lower
    assert upper < wider_upper
    more_lower, more_upper = feldt_interval(alpha, 2 * n, k)
    assert more_upper - more_lower < upper - lower


# --- careless responders -----------------------------------------------------------


def _keyed_answers(anxiety: int, avoidance: int) -> dict[int, int]:
    return {
        item.number: ECR_R.keyed(item, anxiety if item.subscale is Subscale.ANXIETY else avoidance)
        for item in ECR_R.items
    }


def test_straight_lining_is_flagged() -> None:
    reasons = careless_reasons(ECR_R, ResponseRecord(dict.fromkeys(range(1, 37), 4)))
    assert CarelessReason.STRAIGHT_LINING in reasons
    assert CarelessReason.LONG_IDENTICAL_RUN in reasons


def test_consistent_extreme_answers_are_not_straight_lining() -> None:
    # A consistently secure person alternates because of the reversed items.
    assert careless_reasons(ECR_R, ResponseRecord(_keyed_answers(1, 1))) == frozenset()


def test_a_long_identical_run_is_flagged_at_the_configured_length() -> None:
    answers = _keyed_answers(2, 2)
    # Raw 5 on items 1..15 (reversed items included) makes a run of exactly 15.
    answers |= dict.fromkeys(range(1, 16), 5)
    assert answers[16] != 5
    record = ResponseRecord(answers)
    assert careless_reasons(ECR_R, record) == {CarelessReason.LONG_IDENTICAL_RUN}
    assert careless_reasons(ECR_R, record, CarelessnessRules(max_identical_run=16)) == frozenset()


def test_answering_faster_than_two_seconds_per_item_is_flagged() -> None:
    answers = _keyed_answers(2, 3)
    fast = ResponseRecord(answers, duration_seconds=71.9)  # 36 items x 2 s = 72 s
    steady = ResponseRecord(answers, duration_seconds=72.0)
    assert careless_reasons(ECR_R, fast) == {CarelessReason.TOO_FAST}
    assert careless_reasons(ECR_R, steady) == frozenset()


def test_records_are_read_only_copies() -> None:
    answers = {1: 4}
    record = ResponseRecord(answers)
    answers[1] = 7
    assert record.answers[1] == 4
    with pytest.raises(TypeError):
        record.answers[1] = 5  # type: ignore[index]


# --- reliability report ------------------------------------------------------------


@settings(max_examples=5, deadline=None)
@given(answer_sets_for_population(250))
def test_a_realistic_population_meets_the_quality_bar(
    population: tuple[dict[int, int], ...],
) -> None:
    report = reliability_report(ECR_R, [ResponseRecord(answers) for answers in population])
    assert report.responses_used == 250
    for subscale in report.subscales:
        assert (subscale.n, subscale.k) == (250, 18)
        assert subscale.alpha_lower < subscale.alpha < subscale.alpha_upper
        assert subscale.meets_quality_bar
        assert not subscale.needs_investigation
        assert [item.item_number for item in subscale.items] == [
            item.number for item in ECR_R.items_in(subscale.subscale)
        ]


@settings(max_examples=3, deadline=None)
@given(answer_sets_for_population(250))
def test_a_reverse_keying_bug_shows_as_a_negative_item_total_correlation(
    population: tuple[dict[int, int], ...],
) -> None:
    # docs/science.md 2.4: a negative corrected item-total correlation almost always means a
    # keying bug. Declare reversed item 9 as forward and look for it.
    buggy_items = tuple(
        replace(item, reverse_keyed=False) if item.number == 9 else item for item in ECR_R.items
    )
    buggy = replace(ECR_R, items=buggy_items)
    report = reliability_report(buggy, [ResponseRecord(answers) for answers in population])
    anxiety = report.for_subscale(Subscale.ANXIETY)
    item_nine = next(item for item in anxiety.items if item.item_number == 9)
    assert item_nine.corrected_item_total is not None
    assert item_nine.corrected_item_total < 0
    assert 9 in anxiety.items_to_review
    assert anxiety.needs_investigation
    assert not report.for_subscale(Subscale.AVOIDANCE).items_to_review


def test_the_report_drops_incomplete_and_careless_responses() -> None:
    good = [
        ResponseRecord(_keyed_answers(anxiety, avoidance))
        for anxiety, avoidance in ((1, 2), (2, 1), (3, 5), (5, 3), (6, 6))
    ]
    incomplete = ResponseRecord(dict.fromkeys(range(1, 36), 3))
    straight_lined = ResponseRecord(dict.fromkeys(range(1, 37), 4))
    report = reliability_report(ECR_R, [*good, incomplete, straight_lined])
    assert (report.responses_seen, report.responses_used) == (7, 5)
    assert (report.excluded_incomplete, report.excluded_careless) == (1, 1)
    # Within each person every keyed item is equal, so items are perfectly parallel.
    assert report.for_subscale(Subscale.ANXIETY).alpha == pytest.approx(1.0)
    kept_all = reliability_report(ECR_R, [*good, straight_lined], carelessness=None)
    assert kept_all.responses_used == 6
