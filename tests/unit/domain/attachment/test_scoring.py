"""Scoring laws (bounds, keying, monotonicity, imputation, classification) and examples.

The expected values come from the ECR-R key (docs/science.md 1.1) and the prior norms
(anxiety 3.6 / SD 1.2 / alpha .91, avoidance 3.05 / SD 1.1 / alpha .92, docs/science.md 2.1,
2.4), recomputed here by hand or with an independent oracle.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.domain.attachment import (
    DEFAULT_NORMS,
    ECR_R,
    AttachmentStyle,
    ClassificationRules,
    DimensionLevel,
    Norms,
    SubscaleNorm,
    score_assessment,
)
from saltbitter.domain.attachment.instruments import ECR_RS
from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed
from saltbitter.testing.strategies.attachment import (
    answers_for_style,
    ecr_r_answers,
    partial_answers,
)

REVERSED = {9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36}
ANXIETY_ITEMS = range(1, 19)
AVOIDANCE_ITEMS = range(19, 37)
ANXIETY_MEAN, ANXIETY_SD, ANXIETY_SEM_Z = 3.6, 1.2, math.sqrt(1 - 0.91)
AVOIDANCE_MEAN, AVOIDANCE_SD, AVOIDANCE_SEM_Z = 3.05, 1.1, math.sqrt(1 - 0.92)


def keyed(number: int, answer: int) -> int:
    return 8 - answer if number in REVERSED else answer


def raw_for(number: int, keyed_value: int) -> int:
    """The raw answer that yields ``keyed_value`` after keying (keying is its own inverse)."""
    return keyed(number, keyed_value)


def oracle_mean(answers: dict[int, int], numbers: range) -> float:
    values = [keyed(number, answers[number]) for number in numbers if number in answers]
    return sum(values) / len(values)


def answers_with_keyed(anxiety: int, avoidance: int) -> dict[int, int]:
    return {
        number: raw_for(number, anxiety if number <= 18 else avoidance) for number in range(1, 37)
    }


# --- laws -------------------------------------------------------------------------


@settings(max_examples=50)
@given(partial_answers())
def test_scores_equal_the_keyed_mean_of_answered_items_and_stay_within_1_and_7(
    answers: dict[int, int],
) -> None:
    result = score_assessment(ECR_R, answers)
    assert 1.0 <= result.anxiety <= 7.0
    assert 1.0 <= result.avoidance <= 7.0
    assert result.anxiety == pytest.approx(oracle_mean(answers, ANXIETY_ITEMS))
    assert result.avoidance == pytest.approx(oracle_mean(answers, AVOIDANCE_ITEMS))


@settings(max_examples=50)
@given(partial_answers())
def test_imputation_stays_within_the_answered_items_and_is_reported(
    answers: dict[int, int],
) -> None:
    result = score_assessment(ECR_R, answers)
    missing = tuple(number for number in range(1, 37) if number not in answers)
    assert result.imputed_items == missing
    for numbers, score in ((ANXIETY_ITEMS, result.anxiety), (AVOIDANCE_ITEMS, result.avoidance)):
        answered = [keyed(number, answers[number]) for number in numbers if number in answers]
        assert min(answered) - 1e-12 <= score <= max(answered) + 1e-12


@settings(max_examples=50)
@given(
    ecr_r_answers(),
    st.sampled_from(sorted(REVERSED)),
    st.integers(1, 7),
    st.integers(1, 7),
)
def test_answering_x_on_a_reversed_item_counts_like_8_minus_x_on_a_forward_one(
    answers: dict[int, int], reversed_item: int, x: int, y: int
) -> None:
    forward_item = 1 if reversed_item <= 18 else 19  # same subscale, forward keyed
    first = score_assessment(ECR_R, {**answers, reversed_item: x, forward_item: y})
    swapped = score_assessment(ECR_R, {**answers, reversed_item: 8 - y, forward_item: 8 - x})
    assert first.anxiety == pytest.approx(swapped.anxiety)
    assert first.avoidance == pytest.approx(swapped.avoidance)


@settings(max_examples=50)
@given(ecr_r_answers(), st.sampled_from(list(ANXIETY_ITEMS)))
def test_raising_an_anxiety_item_moves_only_anxiety_in_the_keyed_direction(
    answers: dict[int, int], number: int
) -> None:
    if answers[number] == 7:
        answers = {**answers, number: 6}
    before = score_assessment(ECR_R, answers)
    after = score_assessment(ECR_R, {**answers, number: answers[number] + 1})
    step = 1 / 18
    expected_change = -step if number in REVERSED else step
    assert after.anxiety - before.anxiety == pytest.approx(expected_change)
    assert after.avoidance == before.avoidance
    if number not in REVERSED:
        assert after.anxiety_z > before.anxiety_z
        assert after.anxiety_percentile >= before.anxiety_percentile


@settings(max_examples=50)
@given(ecr_r_answers(), st.sampled_from(list(AVOIDANCE_ITEMS)))
def test_raising_an_avoidance_item_moves_only_avoidance_in_the_keyed_direction(
    answers: dict[int, int], number: int
) -> None:
    if answers[number] == 7:
        answers = {**answers, number: 6}
    before = score_assessment(ECR_R, answers)
    after = score_assessment(ECR_R, {**answers, number: answers[number] + 1})
    assert after.anxiety == before.anxiety
    if number in REVERSED:
        assert after.avoidance < before.avoidance
    else:
        assert after.avoidance > before.avoidance


@settings(max_examples=50)
@given(partial_answers())
def test_label_z_scores_percentiles_and_boundary_flag_agree_with_the_norms(
    answers: dict[int, int],
) -> None:
    result = score_assessment(ECR_R, answers)
    anxiety_z = (oracle_mean(answers, ANXIETY_ITEMS) - ANXIETY_MEAN) / ANXIETY_SD
    avoidance_z = (oracle_mean(answers, AVOIDANCE_ITEMS) - AVOIDANCE_MEAN) / AVOIDANCE_SD
    assert result.anxiety_z == pytest.approx(anxiety_z)
    assert result.avoidance_z == pytest.approx(avoidance_z)

    quadrant = {
        (False, False): AttachmentStyle.SECURE,
        (True, False): AttachmentStyle.ANXIOUS,
        (False, True): AttachmentStyle.AVOIDANT,
        (True, True): AttachmentStyle.FEARFUL,
    }
    assert result.style is quadrant[(result.anxiety_z > 0, result.avoidance_z > 0)]

    # Percentile above 50 exactly when z is above 0.
    assert (result.anxiety_percentile > 50) == (result.anxiety_z > 0)
    assert 0 < result.avoidance_percentile < 100

    near = abs(result.anxiety_z) <= ANXIETY_SEM_Z or abs(result.avoidance_z) <= AVOIDANCE_SEM_Z
    assert result.near_boundary == near
    assert (result.nearest_other_style is not None) == near


@settings(max_examples=50)
@given(partial_answers())
def test_nearest_other_style_differs_on_exactly_one_dimension(answers: dict[int, int]) -> None:
    result = score_assessment(ECR_R, answers)
    if result.nearest_other_style is None:
        return
    high_anxiety = {AttachmentStyle.ANXIOUS, AttachmentStyle.FEARFUL}
    high_avoidance = {AttachmentStyle.AVOIDANT, AttachmentStyle.FEARFUL}
    differs = [
        (result.style in group) != (result.nearest_other_style in group)
        for group in (high_anxiety, high_avoidance)
    ]
    assert differs.count(True) == 1


@pytest.mark.parametrize("style", list(AttachmentStyle))
@settings(max_examples=25)
@given(data=st.data())
def test_clearly_styled_answers_get_that_style(style: AttachmentStyle, data: st.DataObject) -> None:
    result = score_assessment(ECR_R, data.draw(answers_for_style(style)))
    assert result.style is style
    assert not result.near_boundary


# --- examples ---------------------------------------------------------------------


def test_a_fully_secure_answer_set_is_secure_with_low_percentiles() -> None:
    # Disagree with every anxious/avoidant statement, agree with every reversed one.
    result = score_assessment(ECR_R, answers_with_keyed(1, 1))
    assert (result.anxiety, result.avoidance) == (1.0, 1.0)
    assert result.style is AttachmentStyle.SECURE
    assert result.anxiety_z == pytest.approx((1 - 3.6) / 1.2)  # -2.1667
    # Phi(-2.1667) is about 0.0151 (normal table: Phi(2.17) = 0.9850).
    assert result.anxiety_percentile == pytest.approx(1.51, abs=0.02)
    assert (result.anxiety_level, result.avoidance_level) == (
        DimensionLevel.LOW,
        DimensionLevel.LOW,
    )
    assert not result.near_boundary
    assert result.insights.support_resources is None
    assert result.norms_are_priors


def test_the_most_insecure_answer_set_is_fearful_and_points_to_support() -> None:
    result = score_assessment(ECR_R, answers_with_keyed(7, 7))
    assert (result.anxiety, result.avoidance) == (7.0, 7.0)
    assert result.style is AttachmentStyle.FEARFUL
    # z = (7 - 3.6) / 1.2 = 2.83 >= 2: the support pointer is shown.
    assert result.insights.support_resources is not None
    assert result.anxiety_percentile > 99


@pytest.mark.parametrize(
    ("anxiety", "avoidance", "style"),
    [(6, 2, AttachmentStyle.ANXIOUS), (2, 6, AttachmentStyle.AVOIDANT)],
)
def test_one_sided_answer_sets(anxiety: int, avoidance: int, style: AttachmentStyle) -> None:
    result = score_assessment(ECR_R, answers_with_keyed(anxiety, avoidance))
    assert result.style is style
    assert result.anxiety == anxiety
    assert result.avoidance == avoidance


def test_all_neutral_answers_sit_above_the_prior_means() -> None:
    # Raw 4 everywhere is keyed 4 everywhere: z = 0.4 / 1.2 = 0.333 (> SEM_z 0.30) and
    # 0.95 / 1.1 = 0.864: fearful, not near a boundary.
    result = score_assessment(ECR_R, dict.fromkeys(range(1, 37), 4))
    assert result.style is AttachmentStyle.FEARFUL
    assert result.anxiety_z == pytest.approx(1 / 3)
    assert not result.near_boundary


def test_scores_within_measurement_error_of_a_boundary_are_flagged() -> None:
    # Anxiety keyed: twelve 4s and six 3s = 66 / 18 = 3.667, z = 0.056 (< 0.30);
    # avoidance keyed 5 everywhere, z = 1.77.
    anxiety_keyed = [4] * 12 + [3] * 6
    answers = {number: raw_for(number, anxiety_keyed[number - 1]) for number in range(1, 19)}
    answers |= {number: raw_for(number, 5) for number in range(19, 37)}
    result = score_assessment(ECR_R, answers)
    assert result.anxiety == pytest.approx(66 / 18)
    assert result.style is AttachmentStyle.FEARFUL
    assert result.near_boundary
    assert result.nearest_other_style is AttachmentStyle.AVOIDANT
    assert "mostly fearful, with some avoidant tendencies" in result.insights.summary


def test_a_higher_style_cut_makes_secure_the_plurality_rule() -> None:
    neutral = dict.fromkeys(range(1, 37), 4)
    # z = 0.333 and 0.864: above the 0.0 cut on both, above a 0.5 cut only on avoidance.
    result = score_assessment(ECR_R, neutral, rules=ClassificationRules(style_cut_z=0.5))
    assert result.style is AttachmentStyle.AVOIDANT


def test_very_high_anxiety_alone_shows_support_resources() -> None:
    # Anxiety keyed 7: z = 3.4 / 1.2 = 2.83 (>= 2); avoidance keyed 1: z < 0.
    result = score_assessment(ECR_R, answers_with_keyed(7, 1))
    assert result.style is AttachmentStyle.ANXIOUS
    assert result.anxiety_level is DimensionLevel.HIGH
    assert result.insights.support_resources is not None
    # Keyed 5 gives z = 1.17: high, but not the highest-distress profile.
    moderate = score_assessment(ECR_R, answers_with_keyed(5, 1))
    assert moderate.anxiety_level is DimensionLevel.HIGH
    assert moderate.insights.support_resources is None


# --- validation -------------------------------------------------------------------


def _fields(error: ValidationFailed) -> dict[str, str]:
    return {field_error.field: field_error.code for field_error in error.errors}


@pytest.mark.parametrize("bad", [0, 8, -1, True])
def test_out_of_range_answers_name_the_item(bad: int) -> None:
    answers = {**answers_with_keyed(3, 3), 12: bad}
    with pytest.raises(ValidationFailed) as caught:
        score_assessment(ECR_R, answers)
    assert _fields(caught.value) == {"answers.12": "out_of_range"}


def test_unknown_items_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        score_assessment(ECR_R, {**answers_with_keyed(3, 3), 37: 4})
    assert _fields(caught.value) == {"answers.37": "unknown_item"}


def test_three_missing_in_one_subscale_is_refused_and_each_is_named() -> None:
    answers = answers_with_keyed(3, 3)
    for number in (2, 5, 30):
        del answers[number]
    score_assessment(ECR_R, answers)  # 2 anxiety + 1 avoidance missing: allowed
    del answers[7]
    with pytest.raises(ValidationFailed) as caught:
        score_assessment(ECR_R, answers)
    assert _fields(caught.value) == {
        "answers.2": "required",
        "answers.5": "required",
        "answers.7": "required",
    }


def test_all_problems_are_reported_together() -> None:
    answers = dict.fromkeys(range(1, 16), 4)  # avoidance entirely missing
    answers[3] = 9
    with pytest.raises(ValidationFailed) as caught:
        score_assessment(ECR_R, answers)
    fields = _fields(caught.value)
    assert fields["answers.3"] == "out_of_range"
    assert fields["answers.16"] == "required"
    assert {f"answers.{number}" for number in range(19, 37)} <= set(fields)


def test_norms_of_another_instrument_are_refused() -> None:
    answers = dict.fromkeys(range(1, 10), 4)
    with pytest.raises(DomainRuleViolated) as caught:
        score_assessment(ECR_RS, answers)
    assert caught.value.code == "norms_mismatch"


def test_the_short_form_scores_with_its_own_norms_and_needs_every_answer() -> None:
    norms = replace(
        DEFAULT_NORMS,
        instrument_key="ecr-rs",
        anxiety=SubscaleNorm(mean=3.0, sd=1.0, alpha=0.9),
        avoidance=SubscaleNorm(mean=3.0, sd=1.0, alpha=0.9),
    )
    # Avoidance: items 1-4 reversed (raw 2 -> 6), items 5-6 forward (raw 6): mean 6.
    # Anxiety: items 7-9 raw 1, 2, 3: mean 2.
    answers = {1: 2, 2: 2, 3: 2, 4: 2, 5: 6, 6: 6, 7: 1, 8: 2, 9: 3}
    result = score_assessment(ECR_RS, answers, norms)
    assert (result.anxiety, result.avoidance) == (2.0, 6.0)
    assert result.style is AttachmentStyle.AVOIDANT
    del answers[8]
    with pytest.raises(ValidationFailed):
        score_assessment(ECR_RS, answers, norms)


def test_a_perfectly_reliable_norm_flags_only_an_exact_tie() -> None:
    exact = Norms(
        instrument_key="ecr-r",
        anxiety=SubscaleNorm(mean=4.0, sd=1.0, alpha=1.0),
        avoidance=SubscaleNorm(mean=4.0, sd=1.0, alpha=1.0),
        version="t",
        source="test",
        is_prior=False,
    )
    tie = score_assessment(ECR_R, answers_with_keyed(4, 6), exact)
    assert tie.near_boundary
    assert tie.nearest_other_style is AttachmentStyle.FEARFUL
    assert not score_assessment(ECR_R, answers_with_keyed(5, 6), exact).near_boundary
