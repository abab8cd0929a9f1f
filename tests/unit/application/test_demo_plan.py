"""The demo community plan: valid, realistic, reproducible members and possible likes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.demo import DemoMember, demo_email, plan_demo_community
from saltbitter.domain.accounts import age_on
from saltbitter.domain.attachment import ECR_R, score_assessment
from saltbitter.domain.compatibility import CandidateProfile, Gender, check_eligibility
from saltbitter.domain.profiles import Profile, parse_profile
from saltbitter.domain.shared import UserId

TODAY = date(2026, 5, 1)


def _profile(member: DemoMember) -> Profile:
    """The profile as PutMyProfile would build it: raises if anything is invalid."""
    command = member.profile
    return parse_profile(
        UserId(UUID(int=member.number)),
        gender=command.gender,
        genders_sought=command.genders_sought,
        age_min=command.age_min,
        age_max=command.age_max,
        bio=command.bio,
        interests=command.interests,
        relationship_goal=command.relationship_goal,
        values=command.values,
        lat=command.location.lat,
        lon=command.location.lon,
        max_distance_km=command.max_distance_km,
        visibility=command.visibility,
        now=datetime(2026, 5, 1, tzinfo=UTC),
    )


def _candidate(member: DemoMember) -> CandidateProfile:
    profile = _profile(member)
    return CandidateProfile(
        user_id=profile.user_id,
        age=age_on(member.account.birthdate, TODAY),
        gender=profile.gender,
        genders_sought=profile.genders_sought,
        age_min=profile.age_min,
        age_max=profile.age_max,
        latitude=profile.location.lat,
        longitude=profile.location.lon,
        max_distance_km=profile.max_distance_km,
    )


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32), count=st.integers(1, 30))
def test_every_planned_member_is_valid_and_every_like_possible(seed: int, count: int) -> None:
    plan = plan_demo_community(count, seed=seed, today=TODAY)
    assert [m.email for m in plan.members] == [demo_email(n) for n in range(1, count + 1)]
    for member in plan.members:
        profile = _profile(member)
        assert 20 <= age_on(member.account.birthdate, TODAY) <= 55
        assert 3 <= len(profile.interests) <= 15
        assert 1 <= len(member.photo_seeds) <= 3
        if member.answers is not None:
            answers = {int(item): value for item, value in member.answers.items()}
            assert set(answers) == {item.number for item in ECR_R.items}
            score_assessment(ECR_R, answers)  # complete and on the scale
    candidates = {m.number: _candidate(m) for m in plan.members}
    assert len(set(plan.likes)) == len(plan.likes)  # nobody likes anyone twice
    for liker, liked in plan.likes:
        assert liker != liked
        assert check_eligibility(candidates[liker], candidates[liked])


def test_same_seed_same_community_and_a_member_does_not_depend_on_the_count() -> None:
    small = plan_demo_community(12, seed=7, today=TODAY)
    assert plan_demo_community(12, seed=7, today=TODAY) == small
    assert plan_demo_community(40, seed=7, today=TODAY).members[:12] == small.members
    assert plan_demo_community(12, seed=8, today=TODAY).members[1:] != small.members[1:]


def test_the_community_is_mixed_like_a_real_one() -> None:
    plan = plan_demo_community(200, today=TODAY)
    members = plan.members
    genders = Counter(m.profile.gender for m in members)
    assert set(genders) == {g.value for g in Gender}
    assert genders[Gender.NON_BINARY.value] < genders[Gender.WOMAN.value]
    assert any(len(m.profile.genders_sought) > 1 for m in members)
    cities = Counter(m.city for m in members)
    assert len(cities) >= 5
    assert cities.most_common(1)[0][0] == "Berlin"
    assert len({m.account.timezone for m in members}) >= 2
    interests = Counter(tag for m in members for tag in m.profile.interests)
    assert len(interests) > 80  # a long tail of rarer interests ...
    assert interests.most_common(1)[0][1] > 10 * min(interests.values())  # ... and a head
    assert 0.7 < sum(m.profile.values is not None for m in members) / len(members) < 0.97
    assert 0.65 < sum(m.answers is not None for m in members) / len(members) < 0.92
    assert sum(not m.profile.bio for m in members) < len(members) / 4
    assert len({m.account.display_name for m in members}) > 30
    mutual = {frozenset(p) for p in plan.likes if (p[1], p[0]) in plan.likes}
    assert len(mutual) >= 5
    assert len(plan.likes) > 2 * len(mutual)


def test_demo_1_is_a_complete_newcomer_many_can_meet() -> None:
    plan = plan_demo_community(40, today=TODAY)
    newcomer = plan.member(1)
    assert newcomer.email == "demo-1@saltbitter.test"
    assert set(newcomer.profile.genders_sought) == {g.value for g in Gender}
    assert newcomer.profile.age_max - newcomer.profile.age_min >= 20
    assert newcomer.city == Counter(m.city for m in plan.members).most_common(1)[0][0]
    assert len(newcomer.photo_seeds) == 3
    assert newcomer.answers is not None
    assert newcomer.profile.values is not None
    assert newcomer.profile.bio
    me = _candidate(newcomer)
    visible = [m for m in plan.members[1:] if check_eligibility(me, _candidate(m))]
    assert len(visible) >= 8
    assert {(2, 1), (1, 2), (3, 1), (4, 1)} <= set(plan.likes)
    assert not any(liker == 1 and liked != 2 for liker, liked in plan.likes)
