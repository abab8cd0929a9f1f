"""The daily run pauses Python's cyclic garbage collector only where the policy says the
run has its process to itself (a worker, the CLI); inside the API it leaves it alone."""

from __future__ import annotations

import gc
from typing import Any

from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.application.ports.batch_scoring import ScalarBatchScorer
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.matching import RankedCandidateLists

from .conftest import MatchingWorld


class _Probe(ScalarBatchScorer):
    """Notes the collector's state (enabled, frozen objects) each time the run ranks
    candidates, which it does after its pool is built."""

    def __init__(self) -> None:
        self.seen: list[tuple[bool, int]] = []

    def top_candidates(self, *args: Any, **kwargs: Any) -> RankedCandidateLists:
        self.seen.append((gc.isenabled(), gc.get_freeze_count()))
        return super().top_candidates(*args, **kwargs)


async def _run(pause: bool) -> list[tuple[bool, int]]:
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
    return probe.seen


async def test_a_run_sharing_its_process_leaves_the_collector_alone() -> None:
    assert set(await _run(pause=False)) == {(True, 0)}


async def test_a_run_in_a_process_of_its_own_freezes_its_pool() -> None:
    seen = await _run(pause=True)
    assert all(enabled and frozen > 0 for enabled, frozen in seen)
