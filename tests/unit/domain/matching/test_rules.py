"""Like, pass, match and unmatch rules."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.errors import Conflict, DomainRuleViolated, PermissionDenied
from saltbitter.domain.matching import (
    Decision,
    Match,
    MatchPair,
    MatchStatus,
    PairState,
    decide,
    refuse_self,
)
from saltbitter.domain.shared import UserId

ALICE = UserId(UUID(int=1))
BOB = UserId(UUID(int=2))
CAROL = UserId(UUID(int=3))


@given(st.uuids(), st.uuids())
def test_a_match_pair_is_the_unordered_pair(a: UUID, b: UUID) -> None:
    if a == b:
        with pytest.raises(DomainRuleViolated):
            MatchPair(UserId(a), UserId(b))
        return
    pair = MatchPair(UserId(a), UserId(b))
    assert pair == MatchPair(UserId(b), UserId(a))
    assert hash(pair) == hash(MatchPair(UserId(b), UserId(a)))
    assert pair.first < pair.second
    assert {pair.first, pair.second} == {a, b}
    assert pair.other(UserId(a)) == b
    assert UserId(a) in pair


def test_only_members_of_a_pair_have_an_other() -> None:
    with pytest.raises(PermissionDenied):
        MatchPair(ALICE, BOB).other(CAROL)


def test_nobody_can_decide_on_themselves() -> None:
    for refuse in (
        lambda: decide(ALICE, ALICE, Decision.LIKE, PairState()),
        lambda: refuse_self(ALICE, ALICE),
    ):
        with pytest.raises(DomainRuleViolated) as refused:
            refuse()
        assert refused.value.code == "decide_on_self"
    refuse_self(ALICE, BOB)  # anyone else is fine


def test_decisions_are_final() -> None:
    for earlier in Decision:
        with pytest.raises(Conflict):
            decide(ALICE, BOB, Decision.LIKE, PairState(actor_decision=earlier))


def test_no_decisions_across_a_block_or_on_a_match() -> None:
    with pytest.raises(PermissionDenied):
        decide(ALICE, BOB, Decision.LIKE, PairState(blocked=True))
    with pytest.raises(Conflict):
        decide(ALICE, BOB, Decision.PASS, PairState(match_status=MatchStatus.ENDED))


def test_a_like_answering_a_like_makes_a_match() -> None:
    outcome = decide(BOB, ALICE, Decision.LIKE, PairState(target_decision=Decision.LIKE))
    assert outcome.is_match
    assert outcome.match == MatchPair(ALICE, BOB)
    assert not decide(ALICE, BOB, Decision.LIKE, PairState()).is_match
    assert not decide(BOB, ALICE, Decision.PASS, PairState(target_decision=Decision.LIKE)).is_match
    passed = PairState(target_decision=Decision.PASS)
    assert not decide(BOB, ALICE, Decision.LIKE, passed).is_match


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(list(Decision))),
        max_size=40,
    )
)
def test_matches_exist_once_and_exactly_for_mutual_likes(
    events: list[tuple[int, int, Decision]],
) -> None:
    """Replays decisions against a tiny store: one match per unordered mutual-like pair."""
    people = [UserId(UUID(int=number + 1)) for number in range(4)]
    decisions: dict[tuple[UserId, UserId], Decision] = {}
    matches: list[MatchPair] = []
    for actor_index, target_index, decision in events:
        actor, target = people[actor_index], people[target_index]
        pair = MatchPair(actor, target) if actor != target else None
        state = PairState(
            actor_decision=decisions.get((actor, target)),
            target_decision=decisions.get((target, actor)),
            match_status=MatchStatus.ACTIVE if pair in matches else None,
        )
        try:
            outcome = decide(actor, target, decision, state)
        except (DomainRuleViolated, Conflict):
            continue
        decisions[(actor, target)] = outcome.decision
        if outcome.match is not None:
            matches.append(outcome.match)
    assert len(matches) == len(set(matches))
    mutual = {
        MatchPair(a, b)
        for (a, b), decision in decisions.items()
        if decision is Decision.LIKE and decisions.get((b, a)) is Decision.LIKE
    }
    assert set(matches) == mutual


def test_unmatch_rules() -> None:
    match = Match(MatchPair(ALICE, BOB))
    ended = match.unmatch(BOB)
    assert ended.status is MatchStatus.ENDED
    assert ended.ended_by == BOB
    assert not ended.is_active
    with pytest.raises(Conflict):
        ended.unmatch(ALICE)
    with pytest.raises(PermissionDenied):
        match.unmatch(CAROL)


def test_pair_state_feeds_the_hard_filters() -> None:
    state = PairState(
        actor_decision=Decision.PASS,
        target_decision=Decision.LIKE,
        match_status=None,
        blocked=False,
    )
    history = state.history()
    assert history.viewer_passed
    assert history.candidate_liked
    assert history.excludes
    ended = PairState(match_status=MatchStatus.ENDED).history()
    assert ended.matched
    assert ended.excludes
