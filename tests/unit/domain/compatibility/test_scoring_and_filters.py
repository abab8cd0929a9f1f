"""The total, reciprocity, explanations, hard filters, policy and population layout."""

from __future__ import annotations

import math
from dataclasses import replace
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    AttachmentScores,
    CandidateProfile,
    CompatibilityPolicy,
    Component,
    ComponentScores,
    ComponentWeights,
    DocumentFrequencies,
    Gender,
    IneligibilityReason,
    PairExplainer,
    PairHistory,
    ScoringPopulation,
    check_eligibility,
    compatibility,
    explain,
    explanation_is_stable,
    harmonic_mean,
    public_distance_km,
)
from saltbitter.domain.compatibility.explainer import _picked
from saltbitter.domain.compatibility.scoring import MAX_REASONS, one_per_component_first
from saltbitter.domain.errors import NotFound, ValidationFailed
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders_profiles import ratings_in_order
from saltbitter.testing.strategies.compatibility import candidate_profiles, document_frequencies
from support.hypothesis_budget import budget

_FREQUENCIES = DocumentFrequencies(
    total_users=1000, counts={"hiking": 400, "jazz": 100, "chess": 100, "falconry": 2}
)


def _member(number: int, **changes: object) -> CandidateProfile:
    profile = CandidateProfile(
        user_id=UserId(UUID(int=number)),
        age=30,
        gender=Gender.WOMAN,
        genders_sought=frozenset({Gender.MAN}),
        age_min=25,
        age_max=35,
        latitude=52.52,
        longitude=13.405,
        max_distance_km=50.0,
        interests=frozenset({"hiking", "jazz", "falconry"}),
    )
    return replace(profile, **changes)  # type: ignore[arg-type]


def _pair() -> tuple[CandidateProfile, CandidateProfile]:
    return _member(1), _member(2, gender=Gender.MAN, genders_sought=frozenset({Gender.WOMAN}))


_histories = st.builds(
    PairHistory,
    blocked=st.booleans(),
    matched=st.booleans(),
    viewer_liked=st.booleans(),
    viewer_passed=st.booleans(),
    candidate_liked=st.booleans(),
    candidate_passed=st.booleans(),
)

# -- harmonic mean (docs/science.md 5.3) ------------------------------------------------------


@given(st.floats(0, 1), st.floats(0, 1))
def test_harmonic_mean_laws(a: float, b: float) -> None:
    h = harmonic_mean(a, b)
    assert h == harmonic_mean(b, a)
    assert min(a, b) - 1e-15 <= h <= 2 * min(a, b) + 1e-15
    assert h <= (a + b) / 2 + 1e-15


def test_harmonic_mean_punishes_one_sided_fit() -> None:
    assert harmonic_mean(0.9, 0.1) == pytest.approx(0.18)
    assert harmonic_mean(0.5, 0.5) == pytest.approx(0.5)
    assert harmonic_mean(0.9, 0.0) == 0.0


# -- the total --------------------------------------------------------------------------


@settings(max_examples=budget(100))
@given(candidate_profiles(), candidate_profiles(), document_frequencies())
def test_total_and_components_are_symmetric_and_bounded(
    a: CandidateProfile, b: CandidateProfile, frequencies: DocumentFrequencies
) -> None:
    ab = compatibility(a, b, frequencies)
    ba = compatibility(b, a, frequencies)
    assert 0.0 <= ab.total <= 1.0
    assert ab.total == pytest.approx(ba.total, abs=1e-12)
    assert ab.forward == pytest.approx(ba.backward, abs=1e-15)
    for value in (ab.components.attachment, ab.components.interests):
        assert 0.0 <= value <= 1.0
    assert 0.0 <= ab.components.values <= 1.0
    assert 0.0 <= ab.components.demographics <= 1.0
    assert ab.components.demographics == pytest.approx(ba.components.demographics, abs=1e-15)
    # Reciprocity: the harmonic mean of the two directions.
    assert min(ab.forward, ab.backward) - 1e-12 <= ab.total <= max(ab.forward, ab.backward) + 1e-12
    assert len(ab.reasons) <= 3


def test_a_perfect_pair_worked_by_hand() -> None:
    a, b = _pair()
    secure = AttachmentScores(1, 1)
    values = ratings_in_order(7, 6, 5, 4, 3, 2, 1, 2, 3, 4)
    a = replace(a, attachment=secure, values=values)
    b = replace(b, attachment=secure, values=values)
    result = compatibility(a, b, _FREQUENCIES)
    # Same spot (d = 0), each inside the other's window: age 1, distance
    # s = 1/(1 + e^(−1/0.15)), demographics = HM(1, s) = 2s/(1 + s) both ways.
    s = 1 / (1 + math.exp(-1 / 0.15))
    demographics = 2 * s / (1 + s)
    assert result.components.attachment == 1.0
    assert result.components.interests == pytest.approx(1.0)
    assert result.components.values == pytest.approx(1.0)
    assert result.components.demographics == pytest.approx(demographics)
    assert result.total == pytest.approx(0.40 + 0.25 + 0.20 + 0.15 * demographics)


def test_missing_questionnaires_are_neutral() -> None:
    a, b = _pair()
    result = compatibility(a, b, _FREQUENCIES)
    assert result.components.attachment == 0.5
    assert result.components.values == 0.5


def test_reciprocity_one_sided_age_fit_lowers_the_total() -> None:
    a, b = _pair()
    both_fit = compatibility(a, b, _FREQUENCIES)
    # b is 37: two years past a's window (score ½ that way), while a still fits b.
    older = replace(b, age=37, age_min=25, age_max=40)
    one_sided = compatibility(a, older, _FREQUENCIES)
    assert one_sided.forward < both_fit.forward
    assert one_sided.backward == pytest.approx(both_fit.backward)
    assert one_sided.total < both_fit.total


def test_a_dealbreaker_zeroes_the_demographics_component() -> None:
    a, b = _pair()
    far = replace(b, latitude=48.137, longitude=11.575)  # Munich, beyond 50 km
    assert compatibility(a, far, _FREQUENCIES).components.demographics == 0.0
    unsought = replace(b, gender=Gender.NON_BINARY)
    assert compatibility(a, unsought, _FREQUENCIES).components.demographics == 0.0


def test_reasons_name_interests_values_and_distance_plainly() -> None:
    a, b = _pair()
    family = ratings_in_order(4, 3, 3, 3, 2, 5, 4, 4, 7, 5)
    a = replace(a, values=family, interests=frozenset({"hiking", "jazz", "falconry", "chess"}))
    b = replace(b, values=family, interests=frozenset({"hiking", "jazz", "falconry", "tennis"}))
    texts = [reason.text for reason in compatibility(a, b, _FREQUENCIES).reasons]
    assert "3 shared interests, 1 of them rare (falconry, jazz, hiking)" in texts
    assert "you both put family and friends first" in texts
    assert "about 1 km apart" in texts  # the shown distance: never less than 1
    assert compatibility(a, b, _FREQUENCIES, explain=False).reasons == ()


def test_reasons_never_reveal_attachment_styles() -> None:
    a, b = _pair()
    a = replace(a, attachment=AttachmentScores(1.2, 1.5))
    b = replace(b, attachment=AttachmentScores(1.5, 1.2))
    reasons = compatibility(a, b, _FREQUENCIES).reasons
    attachment = [r for r in reasons if r.component is Component.ATTACHMENT]
    assert attachment
    for reason in reasons:
        for word in ("anxious", "avoidant", "secure", "fearful"):
            assert word not in reason.text


def test_weights_must_sum_to_one_and_be_in_range() -> None:
    with pytest.raises(ValidationFailed):
        ComponentWeights(attachment=0.5, interests=0.25, values=0.2, demographics=0.15)
    with pytest.raises(ValidationFailed):
        ComponentWeights(attachment=-0.1, interests=0.45, values=0.5, demographics=0.15)
    ComponentWeights(attachment=0.25, interests=0.25, values=0.25, demographics=0.25)


@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=4, max_size=4).filter(
        lambda ws: abs(sum(ws) - 1) > 1e-6
    )
)
def test_weights_that_do_not_sum_to_one_are_refused(weights: list[float]) -> None:
    with pytest.raises(ValidationFailed):
        ComponentWeights(*weights)


def test_policy_validation() -> None:
    with pytest.raises(ValidationFailed):
        CompatibilityPolicy(neutral_values=1.5)
    with pytest.raises(ValidationFailed):
        CompatibilityPolicy(distance_decay_width_fraction=0.0)
    with pytest.raises(ValidationFailed):
        CompatibilityPolicy(age_decay_width_years=0.0)


def test_custom_weights_change_the_total() -> None:
    a, b = _pair()
    only_interests = CompatibilityPolicy(
        weights=ComponentWeights(attachment=0, interests=1, values=0, demographics=0)
    )
    result = compatibility(a, b, _FREQUENCIES, only_interests)
    assert result.total == pytest.approx(result.components.interests)


# -- hard filters --------------------------------------------------------------------


@settings(max_examples=budget(100))
@given(candidate_profiles(), candidate_profiles(), _histories)
def test_eligibility_is_symmetric_for_symmetric_facts(
    a: CandidateProfile, b: CandidateProfile, history: PairHistory
) -> None:
    symmetric = PairHistory(blocked=history.blocked, matched=history.matched)
    assert (
        check_eligibility(a, b, symmetric).eligible == check_eligibility(b, a, symmetric).eligible
    )
    assert history.reversed().reversed() == history


@settings(max_examples=budget(100))
@given(candidate_profiles(), candidate_profiles())
def test_an_eligible_pair_passes_every_filter(a: CandidateProfile, b: CandidateProfile) -> None:
    result = check_eligibility(a, b)
    if result.eligible:
        assert result.reason is None
        assert a.user_id != b.user_id
        assert a.available
        assert b.available
        assert b.gender in a.genders_sought
        assert a.gender in b.genders_sought
        assert compatibility(a, b, _FREQUENCIES, explain=False).components.demographics > 0


def test_each_filter_names_its_reason() -> None:
    a, b = _pair()
    assert check_eligibility(a, b).eligible
    reason = IneligibilityReason
    cases = [
        (a, a, PairHistory(), reason.SAME_PERSON),
        (a, replace(b, suspended=True), PairHistory(), reason.SUSPENDED),
        (replace(a, paused=True), b, PairHistory(), reason.PAUSED),
        (a, b, PairHistory(blocked=True), reason.BLOCKED),
        (a, b, PairHistory(matched=True), reason.ALREADY_MATCHED),
        (a, b, PairHistory(viewer_liked=True), reason.ALREADY_LIKED),
        (a, b, PairHistory(viewer_passed=True), reason.ALREADY_PASSED),
        (a, b, PairHistory(candidate_passed=True), reason.PASSED_BY_CANDIDATE),
        (a, replace(b, gender=Gender.WOMAN), PairHistory(), reason.GENDER_NOT_SOUGHT),
        (a, replace(b, genders_sought=frozenset()), PairHistory(), reason.GENDER_NOT_SOUGHT),
        (a, replace(b, age=38, age_max=40), PairHistory(), reason.AGE_OUTSIDE_WINDOW),
        (a, replace(b, age_min=33, age_max=40), PairHistory(), reason.AGE_OUTSIDE_WINDOW),
        (a, replace(b, latitude=48.137, longitude=11.575), PairHistory(), reason.TOO_FAR),
        (
            a,
            replace(b, latitude=52.52, longitude=13.0, max_distance_km=10),
            PairHistory(),
            reason.TOO_FAR,
        ),
    ]
    for viewer, candidate, history, expected in cases:
        result = check_eligibility(viewer, candidate, history)
        assert not result
        assert result.reason is expected


def test_within_the_age_tolerance_is_still_eligible() -> None:
    a, b = _pair()
    assert check_eligibility(a, replace(b, age=37, age_max=40)).eligible
    strict = CompatibilityPolicy(age_tolerance_years=0)
    assert not check_eligibility(a, replace(b, age=37, age_max=40), policy=strict).eligible


def test_a_like_received_does_not_hide_anyone() -> None:
    a, b = _pair()
    history = PairHistory(candidate_liked=True)
    assert check_eligibility(a, b, history).eligible
    assert history.excludes is False
    assert not check_eligibility(b, a, history.reversed()).eligible  # b already liked a


# -- profiles and populations --------------------------------------------------------


def test_profile_validation() -> None:
    with pytest.raises(ValidationFailed):
        _member(1, age=17)
    with pytest.raises(ValidationFailed):
        _member(1, age_min=40, age_max=30)
    with pytest.raises(ValidationFailed):
        _member(1, latitude=91.0)
    with pytest.raises(ValidationFailed):
        _member(1, max_distance_km=0.5)


def test_population_layout_and_lookup() -> None:
    a, b = _pair()
    population = ScoringPopulation.build([a, b])
    assert len(population) == 2
    assert population.index_of(b.user_id) == 1
    assert population.user_id_at(0) == a.user_id
    columns = population.columns
    assert list(columns.interest_offsets) == [0, 3, 6]
    assert columns.vocabulary == ("falconry", "hiking", "jazz")
    assert len(columns.value_profiles) == 20
    with pytest.raises(NotFound):
        population.index_of(UserId(UUID(int=99)))
    with pytest.raises(ValidationFailed):
        ScoringPopulation.build([a, a])


@settings(max_examples=budget(100), deadline=None)
@given(candidate_profiles(), candidate_profiles(), document_frequencies(), st.booleans())
def test_explain_from_the_pairs_components_gives_compatibilitys_reasons(
    first: CandidateProfile,
    second: CandidateProfile,
    frequencies: DocumentFrequencies,
    distance_known: bool,
) -> None:
    """Law: reasons from the exact components (and the shown distance, when passed)
    are the reference rule's; and nudging stable components by 1e-9 changes none
    (so a batch scorer's components give the reference reasons)."""
    result = compatibility(first, second, frequencies)
    shown = public_distance_km(first.latitude, first.longitude, second.latitude, second.longitude)
    reasons = explain(
        first,
        second,
        result.components,
        frequencies,
        shown_distance_km=shown if distance_known else None,
    )
    assert reasons == result.reasons
    if explanation_is_stable(result.components):
        for nudge in (1e-9, -1e-9):
            nudged = ComponentScores(
                attachment=result.components.attachment + nudge,
                interests=result.components.interests - nudge,
                values=result.components.values + nudge,
                # A dealbreaker's 0 is exact in every scorer (no reason follows from it).
                demographics=result.components.demographics
                and (result.components.demographics - nudge),
            )
            assert explain(first, second, nudged, frequencies) == result.reasons


@settings(max_examples=budget(200), deadline=None)
@given(
    candidate_profiles(),
    candidate_profiles(),
    document_frequencies(),
    st.sampled_from([0.0, 1e-9, -1e-9]),
)
def test_pair_explainer_gives_explains_texts_for_stable_components(
    first: CandidateProfile,
    second: CandidateProfile,
    frequencies: DocumentFrequencies,
    nudge: float,
) -> None:
    """Law: ``PairExplainer`` answers None exactly where ``explanation_is_stable`` is
    False, and otherwise the reference rule's reason texts, in either direction."""
    result = compatibility(first, second, frequencies)
    exact = result.components
    components = ComponentScores(
        attachment=exact.attachment + nudge,
        interests=exact.interests - nudge,
        values=exact.values + nudge,
        demographics=exact.demographics and (exact.demographics - nudge),
    )
    shown = public_distance_km(first.latitude, first.longitude, second.latitude, second.longitude)
    explainer = PairExplainer([first, second], frequencies, DEFAULT_POLICY)
    for mine, theirs, expected in (
        (0, 1, result),
        (1, 0, compatibility(second, first, frequencies)),
    ):
        texts = explainer.texts(
            mine,
            theirs,
            components.attachment,
            components.interests,
            components.values,
            components.demographics,
            shown,
        )
        if not explanation_is_stable(components):
            assert texts is None
        else:
            assert texts == tuple(reason.text for reason in expected.reasons)


@settings(max_examples=budget(500))
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-1.0, max_value=0.0),
            st.integers(min_value=0, max_value=4),
            st.text(max_size=3),
        ),
        max_size=7,
    )
)
def test_pair_explainers_pick_is_one_per_component_first(
    ranked: list[tuple[float, int, str]],
) -> None:
    """The explainer's pick (a shortcut when three components are among the reasons)
    chooses what ``one_per_component_first`` chooses from the same sorted reasons."""
    expected = sorted(ranked)
    want = (
        tuple(text for _, _, text in expected)
        if len(expected) <= MAX_REASONS
        else one_per_component_first(expected)
    )
    assert _picked(list(ranked)) == want
