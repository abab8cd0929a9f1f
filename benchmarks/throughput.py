"""Pairs per second: the scalar reference rule against the NumPy batch scorer.

``python -m benchmarks.throughput [--size N] [--viewers V] [--repeats R]`` runs the batch
scorer alone (float64 and float32 interleaved, one BLAS thread) and prints, per
precision, the best and median wall-clock rate over the repeats and the CPU time per
pair (``time.process_time``): on a shared machine the CPU time is the least disturbed
figure, so it is printed next to the load average.
"""

from __future__ import annotations

import os

# Before NumPy is imported: one BLAS thread (the kernel's matrix-vector products), so
# "one core" means one core when this module runs on its own.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer  # noqa: E402
from saltbitter.domain.compatibility import (  # noqa: E402
    ScoringPopulation,
    check_eligibility,
    compatibility,
)

from .synthetic import synthetic_profiles  # noqa: E402

__all__ = ["Throughput", "batch_pairs_per_second", "scalar_pairs_per_second"]


@dataclass(frozen=True, slots=True)
class Throughput:
    pairs: int
    seconds: float
    """Wall-clock time of the best repeat."""
    median_seconds: float | None = None
    cpu_seconds: float | None = None
    """Process CPU time of the repeat that used the least."""
    repeat_seconds: tuple[float, ...] = field(default=())

    @property
    def per_second(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else float("inf")

    @property
    def median_per_second(self) -> float:
        median = self.median_seconds if self.median_seconds is not None else self.seconds
        return self.pairs / median if median > 0 else float("inf")

    @property
    def cpu_ns_per_pair(self) -> float | None:
        return None if self.cpu_seconds is None else self.cpu_seconds / self.pairs * 1e9


def scalar_pairs_per_second(population: ScoringPopulation, pairs: int) -> Throughput:
    """Score and filter ``pairs`` pairs one at a time with the domain's scalar rules."""
    profiles = population.profiles
    frequencies, policy = population.frequencies, population.policy
    size = len(profiles)
    started = time.perf_counter()
    cpu_started = time.process_time()
    done = 0
    viewer = 0
    while done < pairs:
        me = profiles[viewer % size]
        for other in profiles[: min(size, pairs - done)]:
            compatibility(me, other, frequencies, policy, explain=False)
            check_eligibility(me, other, policy=policy)
        done += min(size, pairs - done)
        viewer += 1
    return Throughput(
        pairs=done,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu_started,
    )


def batch_pairs_per_second(
    population: ScoringPopulation, scorer: NumpyBatchScorer, viewers: int, repeats: int = 3
) -> Throughput:
    """One viewer against the whole population, ``viewers`` times (best of ``repeats``).

    Measures ``score_one_to_many`` end to end: totals, the four components and
    eligibility for every candidate, returned through the port.
    """
    scorer.prepare(population)
    scorer.score_one_to_many(population, 0)  # warm caches and buffers
    size = len(population)
    step = max(1, size // viewers)
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        cpu_started = time.process_time()
        for index in range(viewers):
            scorer.score_one_to_many(population, (index * step + 1) % size)
        cpus.append(time.process_time() - cpu_started)
        walls.append(time.perf_counter() - started)
    return Throughput(
        pairs=viewers * size,
        seconds=min(walls),
        median_seconds=statistics.median(walls),
        cpu_seconds=min(cpus),
        repeat_seconds=tuple(walls),
    )


def _load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover - not every platform has one
        return "n/a"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__)
    parser.add_argument("--size", type=int, default=200_000, help="members (candidates)")
    parser.add_argument("--viewers", type=int, default=20, help="viewers per repeat")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    population = ScoringPopulation.build(synthetic_profiles(args.size, seed=args.seed))
    scorers = {
        precision: NumpyBatchScorer(precision=precision) for precision in ("float64", "float32")
    }
    print(f"one viewer against {args.size:,} members, {args.viewers} viewers × {args.repeats}")
    print(f"load average before: {_load_average()}")
    # Interleaved repeats, so that both precisions see the same background load.
    results: dict[str, list[Throughput]] = {precision: [] for precision in scorers}
    for _ in range(args.repeats):
        for precision, scorer in scorers.items():
            results[precision].append(
                batch_pairs_per_second(population, scorer, args.viewers, repeats=1)
            )
    for precision, runs in results.items():
        pairs = runs[0].pairs
        walls = [run.seconds for run in runs]
        cpus = [run.cpu_seconds or 0.0 for run in runs]
        print(
            f"  {precision}: best {pairs / min(walls) / 1e6:6.1f} M pairs/s,"
            f" median {pairs / statistics.median(walls) / 1e6:6.1f} M pairs/s (wall);"
            f" CPU {min(cpus) / pairs * 1e9:5.2f} ns per pair best,"
            f" {statistics.median(cpus) / pairs * 1e9:5.2f} median"
            f" (= {pairs / min(cpus) / 1e6:6.1f} M pairs per CPU-second)"
        )
    print(f"load average after: {_load_average()}")


if __name__ == "__main__":
    main()
