"""``python -m benchmarks.daily_shards``: what splitting the daily sweep into shards costs.

The due members are partitioned by a hash of their id into S shards; each shard ranks
its own viewers against the whole pool and allocates under a per-shard share of the
exposure cap (``cap // S`` for every candidate), so the shards never need to talk to
each other and no candidate can exceed the cap in total. This prints, against the
single allocation (one shard, the whole cap): the exposure Gini over everyone, the
delivered compatibility (the sum of delivered scores over the unconstrained per-member
greedy choice, as ``FairnessReport.compatibility_ratio``), the fill rate, and the wall
time of running the shards in 1 and 2 forked worker processes (a stand-in for Celery
prefork workers; the database read and write are not in this figure).
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import multiprocessing  # noqa: E402
import time  # noqa: E402
from array import array  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer  # noqa: E402
from saltbitter.application.matching.policy import MatchingPolicy  # noqa: E402
from saltbitter.application.matching.selection import select_daily_sets  # noqa: E402
from saltbitter.application.matching.shards import shard_cap, shard_of  # noqa: E402
from saltbitter.domain.compatibility import ScoringPopulation  # noqa: E402
from saltbitter.domain.matching import exposure_gini  # noqa: E402

from .synthetic import synthetic_profiles  # noqa: E402


@dataclass(frozen=True, slots=True)
class _ShardResult:
    sets: dict[int, list[int]]
    delivered: float
    """The sum of delivered scores."""
    unconstrained: float
    """The sum of the unconstrained per-member greedy choice's scores."""
    possible: float
    """How many candidates that greedy choice would deliver."""
    seconds: float


_STATE: tuple[ScoringPopulation, MatchingPolicy, int] | None = None


def _run_shard(viewers: list[int]) -> _ShardResult:
    if _STATE is None:
        raise RuntimeError("no population in this process")
    population, policy, seed = _STATE
    started = time.perf_counter()
    selection = select_daily_sets(
        population, viewers, NumpyBatchScorer(), policy, exclusions={}, prior_exposure={}, seed=seed
    )
    report = selection.report
    count = sum(len(chosen) for chosen in selection.sets.values())
    delivered = report.mean_delivered_score * count
    unconstrained = delivered / report.compatibility_ratio if report.compatibility_ratio else 0.0
    possible = count / report.fill_rate if report.fill_rate else 0.0
    return _ShardResult(
        dict(selection.sets), delivered, unconstrained, possible, time.perf_counter() - started
    )


def run(
    population: ScoringPopulation, policy: MatchingPolicy, shards: int, workers: int, seed: int
) -> tuple[float, float, float, float, float]:
    """(wall seconds, exposure Gini, delivered/unconstrained, fill rate, max exposure)."""
    global _STATE  # noqa: PLW0603 - inherited by the forked workers
    cap = policy.allocation.exposure_cap
    share = None if cap is None else shard_cap(cap, shards, {}).cap
    shard_policy = replace(policy, allocation=replace(policy.allocation, exposure_cap=share))
    _STATE = (population, shard_policy, seed)
    viewers = [r for r, p in enumerate(population.profiles) if p.available]
    parts = [
        [r for r in viewers if shard_of(population.profiles[r].user_id, shards) == i]
        for i in range(shards)
    ]
    started = time.perf_counter()
    gc.freeze()
    try:
        if workers == 1:
            results = [_run_shard(part) for part in parts]
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                results = list(pool.map(_run_shard, parts))
    finally:
        gc.unfreeze()
        _STATE = None
    seconds = time.perf_counter() - started
    exposure = array("q", [0] * len(population))
    placed = 0
    for result in results:
        for chosen in result.sets.values():
            placed += len(chosen)
            for row in chosen:
                exposure[row] += 1
    delivered = sum(result.delivered for result in results)
    unconstrained = sum(result.unconstrained for result in results)
    possible = sum(result.possible for result in results)
    return (
        seconds,
        exposure_gini(exposure),
        delivered / unconstrained if unconstrained else 1.0,
        placed / possible if possible else 1.0,
        float(max(exposure, default=0)),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.daily_shards", description=__doc__)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 2, 3, 5, 10])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    population = ScoringPopulation.build(synthetic_profiles(args.members, seed=args.seed))
    policy = MatchingPolicy()
    print(
        f"daily sets in shards: {args.members:,} synthetic members, exposure cap "
        f"{policy.allocation.exposure_cap} split evenly, load {os.getloadavg()[0]:.1f}"
    )
    print("shards workers   wall s  Gini   delivered  fill   max exposure")
    for shards in args.shards:
        for workers in (1, 2) if shards > 1 else (1,):
            seconds, gini, ratio, fill, top = run(population, policy, shards, workers, args.seed)
            print(
                f"{shards:6d} {workers:7d} {seconds:8.1f}  {gini:.3f}  {ratio:9.3f}  "
                f"{fill:.3f}  {top:.0f}   (load {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()
