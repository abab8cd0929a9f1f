"""The daily run pauses Python's cyclic garbage collector only where the policy says the
run has its process to itself (a worker, the CLI); inside the API it leaves it alone."""

from __future__ import annotations

import gc
from typing import Any

from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.application.ports.batch_scoring import PairScores, ScalarBatchScorer
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.matching import RankedCandidateLists

from .conftest import MatchingWorld


class _Probe(ScalarBatchScorer):
    """Notes the collector's state (enabled, frozen objects) each time the run ranks
    candidates, which it does after its pool is built, and each time it scores a chunk's
    pairs, after the allotment."""

    def __init__(self) -> None:
        self.seen: list[tuple[bool, int]] = []
        self.chunks: list[tuple[bool, int]] = []

    def top_candidates(self, *args: Any, **kwargs: Any) -> RankedCandidateLists:
        self.seen.append((gc.isenabled(), gc.get_freeze_count()))
        return super().top_candidates(*args, **kwargs)

    def score_pairs(self, *args: Any, **kwargs: Any) -> PairScores:
        self.chunks.append((gc.isenabled(), gc.get_freeze_count()))
        return super().score_pairs(*args, **kwargs)


async def _run(pause: bool) -> _Probe:
    probe = _Probe()
    world = MatchingWorld(scorer=probe).with_policy(pause_collector=pause)
    for n in range(4):
        await world.seed(display_name=f"W{n}")
        await world.seed(display_name=f"M{n}", gender=Gender.MAN, seeks=(Gender.WOMAN,))
    assert (gc.isenabled(), gc.get_freeze_count()) == (True, 0)
    summary = await (await world.get(GenerateDailySets))(all_timezones=True)
    assert summary.created == 8
    # Either way the collector is left as it was found.
    assert (gc.isenabled(), gc.get_freeze_count()) == (True, 0)
    assert probe.seen
    assert probe.chunks
    return probe


async def test_a_run_sharing_its_process_leaves_the_collector_alone() -> None:
    probe = await _run(pause=False)
    assert set(probe.seen) == set(probe.chunks) == {(True, 0)}


async def test_a_run_in_a_process_of_its_own_freezes_its_pool() -> None:
    seen = (await _run(pause=True)).seen
    assert all(enabled and frozen > 0 for enabled, frozen in seen)


async def test_the_chunks_run_with_the_collector_paused_and_the_allotment_frozen() -> None:
    """The chunks make no garbage cycles, only many short-lived containers: collections
    during them found nothing and cost 15 % of the job (ADR 0040)."""
    probe = await _run(pause=True)
    assert all(not enabled and frozen > 0 for enabled, frozen in probe.chunks)
