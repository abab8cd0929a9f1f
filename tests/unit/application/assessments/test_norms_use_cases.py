"""Platform norms: computed from consenting members' stored answers, versioned, then used
to score results in place of the published priors."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from saltbitter.application.assessments.dto import SubmitAssessmentCommand
from saltbitter.application.assessments.norms import (
    CheckReliability,
    ComputeNorms,
    NormsPolicy,
    NormsRun,
)
from saltbitter.application.assessments.results import GetMyAssessments, SubmitAssessment
from saltbitter.application.ports.assessments import PublishedNorms, StoredAssessment
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord
from saltbitter.domain.accounts.model import age_on
from saltbitter.domain.attachment import AgeBand, AttachmentStyle, Subscale
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.assessments import some_norms
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_assessments import AssessmentsState
from saltbitter.testing.strategies.attachment import simulate_population
from support.container import FakeWorld as Members

MIN_SAMPLE = 40
ANSWERS = {str(number): 1 + number % 7 for number in range(1, 37)}


def _seed(members: Members, count: int, *, granted: bool = True, seed: int = 7) -> None:
    """``count`` members who took the ECR-R a year ago, straight into the database."""
    taken_at = members.clock.now() - timedelta(days=365)
    for answers in simulate_population(count, seed):
        user = a_user()
        members.database[AccountsState].users[user.id] = user
        members.database[AccountsState].consents.append(
            ConsentRecord(user.id, ConsentPurpose.SENSITIVE_DATA, granted, "p-1", taken_at)
        )
        members.database[AssessmentsState].records.append(
            StoredAssessment(
                uuid4(), user.id, "ecr-r", "en-2013-06-05", answers, 3.0, 3.0,
                AttachmentStyle.SECURE, False, taken_at,
            )
        )  # fmt: skip


def _careless(members: Members, count: int) -> None:
    """Members who answered 4 to everything (straight-lining)."""
    for _ in range(count):
        user = a_user()
        members.database[AccountsState].users[user.id] = user
        members.database[AccountsState].consents.append(
            ConsentRecord(user.id, ConsentPurpose.SENSITIVE_DATA, True, "p-1", members.clock.now())
        )
        members.database[AssessmentsState].records.append(
            StoredAssessment(
                uuid4(), user.id, "ecr-r", "en-2013-06-05", dict.fromkeys(range(1, 37), 4),
                4.0, 4.0, AttachmentStyle.SECURE, False, members.clock.now(),
            )
        )  # fmt: skip


async def _compute(members: Members, min_sample: int = MIN_SAMPLE) -> ComputeNorms:
    """The job as the container builds it, with this test's minimum sample."""
    return replace(await members.get(ComputeNorms), policy=NormsPolicy(min_sample))


@pytest.fixture
def members() -> Members:
    world = Members()
    world.norms_policy = NormsPolicy(MIN_SAMPLE)
    return world


async def test_below_the_minimum_sample_results_keep_the_published_priors(
    members: Members,
) -> None:
    _seed(members, MIN_SAMPLE - 1)
    run = await (await _compute(members))()
    assert run.published is None
    assert run.reason is not None
    assert "at least 40" in run.reason
    assert members.database[AssessmentsState].norms == []
    ada = await members.member()
    await members.consent(ada, "sensitive_data")
    result = await (await members.get(SubmitAssessment))(
        ada, SubmitAssessmentCommand("ecr-r", ANSWERS)
    )
    assert (result.norms.version, result.norms.are_priors) == ("prior-1", True)


async def test_once_enough_members_answered_results_use_the_platform_norms(
    members: Members,
) -> None:
    _seed(members, MIN_SAMPLE)
    stages: list[tuple[str, int, int]] = []
    run = await (await _compute(members))(progress=lambda *step: stages.append(step))
    assert run.published is not None
    assert run.published.version == "platform-20260115T120000Z"
    assert run.published.overall.sample_size == MIN_SAMPLE
    assert [stage for stage, done, _ in stages if done] == [
        "reading answers", "reliability", "norms", "saving",
    ]  # fmt: skip
    ada = await members.member()
    await members.consent(ada, "sensitive_data")
    result = await (await members.get(SubmitAssessment))(
        ada, SubmitAssessmentCommand("ecr-r", ANSWERS)
    )
    assert (result.norms.version, result.norms.are_priors) == (run.published.version, False)
    # Percentiles follow the platform's means and SDs, not the priors'.
    overall = run.published.overall
    expected = overall.anxiety.z_score(result.anxiety)
    assert result.percentiles.anxiety == pytest.approx(50.0 * (1.0 + math.erf(expected / 2**0.5)))
    mine = await (await members.get(GetMyAssessments))(ada)
    assert mine.latest is not None
    assert mine.latest.norms.are_priors is False


async def test_raising_the_minimum_later_sends_scoring_back_to_the_priors(
    members: Members,
) -> None:
    _seed(members, MIN_SAMPLE)
    assert (await (await _compute(members))()).published is not None
    members.norms_policy = NormsPolicy(MIN_SAMPLE + 1)
    ada = await members.member()
    await members.consent(ada, "sensitive_data")
    result = await (await members.get(SubmitAssessment))(
        ada, SubmitAssessmentCommand("ecr-r", ANSWERS)
    )
    assert result.norms.are_priors is True


async def test_only_members_with_a_current_sensitive_data_consent_count(
    members: Members,
) -> None:
    _seed(members, MIN_SAMPLE - 1)
    _seed(members, 10, granted=False, seed=8)
    run = await (await _compute(members))()
    assert run.samples == MIN_SAMPLE - 1
    assert run.published is None


async def test_careless_responders_are_dropped_before_reliability_and_norms(
    members: Members,
) -> None:
    _seed(members, MIN_SAMPLE)
    _careless(members, 5)
    run = await (await _compute(members))()
    assert run.samples == MIN_SAMPLE + 5
    assert run.reliability is not None
    assert run.reliability.excluded_careless == 5
    assert run.reliability.responses_used == MIN_SAMPLE
    assert run.published is not None
    assert run.published.overall.sample_size == MIN_SAMPLE


async def test_the_reliability_check_reports_alpha_interval_and_item_totals(
    members: Members,
) -> None:
    _seed(members, 60)
    run: NormsRun = await (await members.get(CheckReliability))()
    assert run.published is None
    assert members.database[AssessmentsState].norms == []
    assert run.reliability is not None
    anxiety = run.reliability.for_subscale(Subscale.ANXIETY)
    assert anxiety.alpha_lower < anxiety.alpha < anxiety.alpha_upper
    assert anxiety.alpha > 0.85  # the simulated population is built to be reliable
    assert len(anxiety.items) == 18
    assert all(item.corrected_item_total is not None for item in anxiety.items)


async def test_with_fewer_than_two_responses_reliability_says_why(members: Members) -> None:
    run = await (await members.get(CheckReliability))()
    assert run.reliability is None
    assert run.reason is not None
    assert "at least 2" in run.reason


async def test_a_member_is_compared_with_their_own_age_band_when_it_has_norms(
    members: Members,
) -> None:
    ada = await members.member()
    await members.consent(ada, "sensitive_data")
    birthdate = members.database[AccountsState].users[ada.user_id].birthdate
    band = AgeBand.for_age(age_on(birthdate, members.clock.now().date()))
    overall = some_norms("platform-9", sample_size=MIN_SAMPLE)
    own_band = replace(
        overall,
        anxiety=replace(overall.anxiety, mean=overall.anxiety.mean + 1.0),
        age_band=band,
    )
    members.database[AssessmentsState].norms.append(
        PublishedNorms(members.clock.now(), overall, (own_band,))
    )
    result = await (await members.get(SubmitAssessment))(
        ada, SubmitAssessmentCommand("ecr-r", ANSWERS)
    )
    z = own_band.anxiety.z_score(result.anxiety)
    assert result.percentiles.anxiety == pytest.approx(50.0 * (1.0 + math.erf(z / 2**0.5)))
    assert result.norms.version == "platform-9"


async def test_a_second_run_in_the_same_second_publishes_nothing_new(members: Members) -> None:
    _seed(members, MIN_SAMPLE)
    first = await (await _compute(members))()
    second = await (await _compute(members))()
    assert first.published is not None
    assert second.published is None
    assert second.reason == "These norms were published already."
    assert len(members.database[AssessmentsState].norms) == 1
