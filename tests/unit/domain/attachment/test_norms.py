"""Norm value objects, age bands, and norms computed from stored responses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from saltbitter.domain.attachment import (
    DEFAULT_NORMS,
    ECR_R,
    AgeBand,
    ResponseRecord,
    Subscale,
    SubscaleNorm,
    compute_norms,
    score_assessment,
)
from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed
from saltbitter.testing.strategies.attachment import answer_sets_for_population


def keyed_answers(anxiety: int, avoidance: int) -> dict[int, int]:
    return {
        item.number: ECR_R.keyed(item, anxiety if item.subscale is Subscale.ANXIETY else avoidance)
        for item in ECR_R.items
    }


def test_default_norms_are_marked_as_research_priors() -> None:
    assert DEFAULT_NORMS.is_prior
    assert DEFAULT_NORMS.instrument_key == ECR_R.key
    assert "PRIORS" in DEFAULT_NORMS.source
    # docs/science.md 2.1 ranges: anxiety mean 3.5-3.7 (SD 1.1-1.3), avoidance 2.9-3.2 (SD 1.0-1.2).
    assert 3.5 <= DEFAULT_NORMS.anxiety.mean <= 3.7
    assert 1.1 <= DEFAULT_NORMS.anxiety.sd <= 1.3
    assert 2.9 <= DEFAULT_NORMS.avoidance.mean <= 3.2
    assert 1.0 <= DEFAULT_NORMS.avoidance.sd <= 1.2


def test_measurement_error_follows_sd_times_root_one_minus_alpha() -> None:
    norm = SubscaleNorm(mean=3.0, sd=2.0, alpha=0.84)
    assert norm.standard_error_of_measurement == pytest.approx(2.0 * 0.4)
    assert norm.standard_error_in_z == pytest.approx(0.4)
    assert norm.z_score(4.0) == pytest.approx(0.5)
    # docs/science.md 2.2: about 0.25-0.35 SD for alpha about .90-.94.
    assert 0.25 <= DEFAULT_NORMS.anxiety.standard_error_in_z <= 0.35


@pytest.mark.parametrize(
    ("mean", "sd", "alpha"),
    [(math.nan, 1.0, 0.9), (3.0, 0.0, 0.9), (3.0, -1.0, 0.9), (3.0, 1.0, 1.1), (3.0, 1.0, -0.1)],
)
def test_subscale_norms_refuse_impossible_values(mean: float, sd: float, alpha: float) -> None:
    with pytest.raises(DomainRuleViolated) as caught:
        SubscaleNorm(mean=mean, sd=sd, alpha=alpha)
    assert caught.value.code == "invalid_norms"


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (18, AgeBand.AGE_18_24),
        (24, AgeBand.AGE_18_24),
        (25, AgeBand.AGE_25_29),
        (29, AgeBand.AGE_25_29),
        (30, AgeBand.AGE_30_39),
        (39, AgeBand.AGE_30_39),
        (40, AgeBand.AGE_40_49),
        (49, AgeBand.AGE_40_49),
        (50, AgeBand.AGE_50_PLUS),
        (97, AgeBand.AGE_50_PLUS),
    ],
)
def test_age_bands_follow_the_norming_plan(age: int, band: AgeBand) -> None:
    assert AgeBand.for_age(age) is band


def test_minors_have_no_age_band() -> None:
    with pytest.raises(ValidationFailed):
        AgeBand.for_age(17)


def test_norms_from_a_hand_computed_sample() -> None:
    # Anxiety scores 2, 6, 2, 6: mean 4, sample variance 4 * 4 / 3 = 16/3; median 4.
    # Avoidance scores 1, 3, 3, 5: mean 3, sample variance (4 + 0 + 0 + 4) / 3 = 8/3.
    # (Keyed 4 is avoided: 4 is its own reverse, so it makes an 18-item identical run.)
    records = [
        ResponseRecord(keyed_answers(2, 1), age=22),
        ResponseRecord(keyed_answers(6, 3), age=23),
        ResponseRecord(keyed_answers(2, 3), age=35),
        ResponseRecord(keyed_answers(6, 5), age=36),
    ]
    report = compute_norms(ECR_R, records, version="2025-q1", min_sample_size=2)
    assert report.excluded_careless == 0
    overall = report.overall
    assert overall.anxiety.mean == pytest.approx(4.0)
    assert overall.anxiety.sd == pytest.approx(math.sqrt(16 / 3))
    assert overall.avoidance.mean == pytest.approx(3.0)
    assert overall.avoidance.sd == pytest.approx(math.sqrt(8 / 3))
    assert dict(overall.anxiety.percentiles)[50] == pytest.approx(4.0)
    assert dict(overall.avoidance.percentiles)[25] == pytest.approx(2.5)  # 1 + 0.75 * 2
    # Every keyed item equals the person's score, so the items are parallel: alpha 1.
    assert overall.anxiety.alpha == pytest.approx(1.0)
    assert not overall.is_prior
    assert overall.version == "2025-q1"
    assert overall.sample_size == 4

    assert {norms.age_band for norms in report.by_age_band} == {
        AgeBand.AGE_18_24,
        AgeBand.AGE_30_39,
    }
    # Band 18-24 has avoidance 1 and 3, band 30-39 has 3 and 5.
    assert report.for_age(23).avoidance.mean == pytest.approx(2.0)
    assert report.for_age(36).avoidance.mean == pytest.approx(4.0)
    assert report.for_age(36).anxiety.mean == pytest.approx(4.0)
    # Too few people in the band: fall back to the overall norms.
    assert report.for_age(45) is overall
    assert report.for_age(None) is overall
    assert AgeBand.AGE_40_49 in report.insufficient_bands


def test_a_band_without_spread_falls_back_to_the_overall_norms() -> None:
    records = [
        ResponseRecord(keyed_answers(2, 2), age=41),
        ResponseRecord(keyed_answers(2, 2), age=42),
        ResponseRecord(keyed_answers(5, 6), age=60),
    ]
    report = compute_norms(ECR_R, records, version="v1", min_sample_size=2)
    assert AgeBand.AGE_40_49 in report.insufficient_bands
    assert report.for_age(41) is report.overall


def test_computed_norms_score_new_answers() -> None:
    records = [
        ResponseRecord(keyed_answers(anxiety, avoidance), age=30)
        for anxiety, avoidance in ((2, 1), (2, 3), (6, 3), (6, 5))
    ]
    norms = compute_norms(ECR_R, records, version="v1", min_sample_size=2).overall
    # Anxiety 4 is exactly the platform mean: z = 0; avoidance 5: z = 2 / sqrt(8/3).
    result = score_assessment(ECR_R, keyed_answers(4, 5), norms)
    assert result.anxiety_z == pytest.approx(0.0)
    assert result.avoidance_z == pytest.approx(2 / math.sqrt(8 / 3))
    assert result.norms_version == "v1"
    assert not result.norms_are_priors


def test_norms_need_enough_careful_complete_responses() -> None:
    records = [ResponseRecord(keyed_answers(2, 3)) for _ in range(3)]
    with pytest.raises(DomainRuleViolated) as caught:
        compute_norms(ECR_R, records, version="v1")
    assert caught.value.code == "not_enough_data"
    straight_lined = [ResponseRecord(dict.fromkeys(range(1, 37), 4))] * 5
    with pytest.raises(DomainRuleViolated):
        compute_norms(ECR_R, straight_lined, version="v1", min_sample_size=2)


def test_norms_without_spread_are_refused() -> None:
    records = [ResponseRecord(keyed_answers(2, 3)) for _ in range(4)]
    with pytest.raises(DomainRuleViolated) as caught:
        compute_norms(ECR_R, records, version="v1", min_sample_size=2)
    assert caught.value.code == "not_enough_variance"


def test_norms_with_a_negative_alpha_are_refused() -> None:
    # Anxiety items 1-9 pull against items 10-18, so item variance swamps the total's.
    def split(first: int, second: int, avoidance: int) -> ResponseRecord:
        answers = keyed_answers(1, avoidance)
        for number in range(1, 19):
            keyed = first if number <= 9 else second
            answers[number] = ECR_R.keyed(ECR_R.item(number), keyed)
        return ResponseRecord(answers)

    records = [split(7, 1, 2), split(1, 7, 3), split(7, 2, 4), split(2, 7, 5)]
    with pytest.raises(DomainRuleViolated) as caught:
        compute_norms(ECR_R, records, version="v1", min_sample_size=2)
    assert caught.value.code == "unreliable_subscale"


@settings(max_examples=3, deadline=None)
@given(answer_sets_for_population(400))
def test_population_norms_land_near_the_simulated_centres(
    population: tuple[dict[int, int], ...],
) -> None:
    ages = [18 + index % 50 for index in range(len(population))]
    records = [
        ResponseRecord(answers, age=age) for answers, age in zip(population, ages, strict=True)
    ]
    report = compute_norms(ECR_R, records, version="sim", min_sample_size=100)
    # The simulation centres the keyed answers at 3.6 and 3.05 (before clipping to 1-7).
    assert report.overall.anxiety.mean == pytest.approx(3.6, abs=0.35)
    assert report.overall.avoidance.mean == pytest.approx(3.05, abs=0.35)
    assert 0.85 < report.overall.anxiety.alpha < 1.0
    percentiles = [value for _, value in report.overall.anxiety.percentiles]
    assert percentiles == sorted(percentiles)
    # Ages 18-67 evenly: 18-24 has 7/50 of 400 = 56 people (< 100), 50+ has 18/50 = 144.
    assert AgeBand.AGE_18_24 in report.insufficient_bands
    assert AgeBand.AGE_50_PLUS not in report.insufficient_bands
