"""Likes and passes decided in a batch (ADR 0051): each answered as if decided alone."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.matching.swipes import DecideSwipes, LikeMember, PassMember
from saltbitter.application.matching.views import SwipeResult
from saltbitter.application.ports.matching import PairDecision
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import SaltbitterError
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.capabilities.matching import SwipeBatches
from saltbitter.testing.fakes_matching import MatchingState
from support.hypothesis_budget import budget

from .conftest import MatchingWorld

MAN = {"gender": Gender.MAN, "seeks": (Gender.WOMAN,)}


def _answer(answer: SwipeResult | SaltbitterError) -> object:
    """What a caller learns: an error's code, or the decision and whether it matched."""
    if isinstance(answer, SaltbitterError):
        return answer.code
    return (answer.decision, answer.matched)


async def test_each_decision_of_a_batch_gets_its_own_answer(world: MatchingWorld) -> None:
    ada = await world.seed(display_name="Ada")
    bo, cy = await world.seed(**MAN), await world.seed(**MAN)
    await (await world.get(LikeMember))(world.principal(bo), ada)
    calls = [
        PairDecision(ada, ada, Decision.LIKE),  # yourself
        PairDecision(ada, UserId(uuid4()), Decision.LIKE),  # nobody
        PairDecision(ada, bo, Decision.LIKE),  # answers Bo's like: a match
        PairDecision(cy, ada, Decision.LIKE),
        PairDecision(ada, bo, Decision.PASS),  # a second decision in the same batch
        PairDecision(ada, cy, Decision.LIKE),  # crossing Cy's like in the same batch
    ]
    answers = await (await world.get(DecideSwipes))(calls)
    assert [_answer(a) for a in answers] == [
        "decide_on_self",
        "member_not_found",
        (Decision.LIKE, True),
        (Decision.LIKE, False),
        "already_decided",
        (Decision.LIKE, True),
    ]
    matches = world.database[MatchingState].matches
    assert len(matches) == 2
    assert {e.match_id for e in world.events(MatchCreated)} == set(matches)
    assert {a.match_id for a in answers if isinstance(a, SwipeResult)} == {*matches, None}


async def test_a_batch_where_everything_is_refused_writes_nothing(world: MatchingWorld) -> None:
    ada, bo = await world.seed(), await world.seed(**MAN)
    await (await world.get(LikeMember))(world.principal(ada), bo)
    before = dict(world.database[MatchingState].swipes)
    answers = await (await world.get(DecideSwipes))(
        [PairDecision(ada, bo, Decision.PASS), PairDecision(bo, bo, Decision.LIKE)]
    )
    assert [_answer(a) for a in answers] == ["already_decided", "decide_on_self"]
    assert world.database[MatchingState].swipes == before


_people = st.sampled_from(range(4))
_calls = st.lists(st.tuples(_people, _people, st.booleans()), max_size=10)


@settings(max_examples=budget(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(earlier=_calls, batch=_calls)
def test_a_batch_answers_what_its_decisions_one_by_one_would(
    earlier: list[tuple[int, int, bool]], batch: list[tuple[int, int, bool]]
) -> None:
    """Whatever was decided before, a batch's answers, swipes and matches equal those
    of deciding its calls one at a time, in order."""

    async def world_with(
        history: list[tuple[int, int, bool]],
    ) -> tuple[MatchingWorld, list[UserId]]:
        world = MatchingWorld()
        people = [await world.seed(), await world.seed(), await world.seed(**MAN)]
        people.append(await world.seed(**MAN))
        for call in history:
            await one_by_one(world, people, call)
        return world, people

    async def one_by_one(
        world: MatchingWorld, people: list[UserId], call: tuple[int, int, bool]
    ) -> object:
        actor, target, like = call
        act = await world.get(LikeMember if like else PassMember)
        try:
            return _answer(await act(world.principal(people[actor]), people[target]))
        except SaltbitterError as refused:
            return refused.code

    def outcome(world: MatchingWorld) -> object:
        state = world.database[MatchingState]
        return dict(state.swipes).keys(), {m.pair for m in state.matches.values()}

    async def play() -> None:
        alone, people = await world_with(earlier)
        expected = [await one_by_one(alone, people, call) for call in batch]
        together, people_too = await world_with(earlier)
        calls = [
            PairDecision(people_too[a], people_too[t], Decision.LIKE if like else Decision.PASS)
            for a, t, like in batch
        ]
        answers = await (await together.get(DecideSwipes))(calls)
        assert [_answer(a) for a in answers] == expected
        swipes, pairs = outcome(together)
        index = dict(zip(people_too, people, strict=True))
        assert {(index[a], index[t]) for a, t in swipes} == set(outcome(alone)[0])
        assert {frozenset(index[m] for m in (p.first, p.second)) for p in pairs} == {
            frozenset((p.first, p.second)) for p in outcome(alone)[1]
        }

    asyncio.run(play())


async def test_the_edge_s_swipe_batches_decide_concurrent_likes_together(
    world: MatchingWorld,
) -> None:
    """The wiring POST /likes uses: one process-wide ``SwipeBatches``, whose batch is a
    ``DecideSwipes`` in a scope of its own; a refusal reaches only its caller."""
    ada = await world.seed()
    men = [await world.seed(**MAN) for _ in range(3)]
    batches = await world.container.get(SwipeBatches)
    answers = await asyncio.gather(
        *(batches(PairDecision(ada, man, Decision.LIKE)) for man in men),
        batches(PairDecision(ada, ada, Decision.LIKE)),
        return_exceptions=True,
    )
    assert [_answer(a) if isinstance(a, SwipeResult | SaltbitterError) else a for a in answers] == [
        (Decision.LIKE, False),
        (Decision.LIKE, False),
        (Decision.LIKE, False),
        "decide_on_self",
    ]
    assert list(batches.batch_sizes) == [4]
    assert set(world.database[MatchingState].swipes) == {(ada, man) for man in men}
