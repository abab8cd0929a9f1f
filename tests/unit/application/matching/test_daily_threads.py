"""A daily run leaves no thread behind: its chunks' scoring thread is its own and ends
with the run, so the next run in the process (the next shard of a CLI sweep) may fork
its ranking again (the scorer forks only a single-threaded process; ADR 0050)."""

from __future__ import annotations

import threading
from typing import Any

from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.application.ports.batch_scoring import PairScores, ScalarBatchScorer
from saltbitter.domain.compatibility import Gender

from .conftest import MatchingWorld


class _Probe(ScalarBatchScorer):
    """Notes the threads alive each time the run scores a chunk's pairs (in the run's
    scoring thread) and each time it ranks (on the loop's thread, before any chunk)."""

    def __init__(self) -> None:
        self.scoring: list[str] = []
        self.ranking: list[int] = []

    def top_candidates(self, *args: Any, **kwargs: Any) -> Any:
        self.ranking.append(threading.active_count())
        return super().top_candidates(*args, **kwargs)

    def score_pairs(self, *args: Any, **kwargs: Any) -> PairScores:
        self.scoring.append(threading.current_thread().name)
        return super().score_pairs(*args, **kwargs)


async def test_the_chunks_scoring_thread_ends_with_the_run() -> None:
    probe = _Probe()
    world = MatchingWorld(scorer=probe).with_policy(chunk_size=2)
    for n in range(4):
        await world.seed(display_name=f"W{n}")
        await world.seed(display_name=f"M{n}", gender=Gender.MAN, seeks=(Gender.WOMAN,))
    before = threading.active_count()
    summary = await (await world.get(GenerateDailySets))(all_timezones=True)
    assert summary.created == 8
    # Four chunks, each scored off the loop's thread, in the run's own thread.
    assert len(probe.scoring) == 4
    assert all(name.startswith("daily-scoring") for name in probe.scoring)
    assert probe.ranking == [before]  # no thread of the run exists yet when it ranks
    assert threading.active_count() == before
