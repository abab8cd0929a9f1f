"""``python -m benchmarks [--quick] [--workers N]``: print throughput and daily-batch figures.

Single-core figures pin BLAS to one thread; the daily allocation may fan the top-k step
out to ``--workers`` processes (this machine has 2 cores).
"""

from __future__ import annotations

import os

# Before NumPy is imported: one BLAS thread, so "one core" means one core.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer  # noqa: E402
from saltbitter.domain.compatibility import ScoringPopulation  # noqa: E402
from saltbitter.domain.matching import DEFAULT_ALLOCATION_POLICY  # noqa: E402

from .daily import run_daily_allocation  # noqa: E402
from .synthetic import synthetic_profiles  # noqa: E402
from .throughput import batch_pairs_per_second, scalar_pairs_per_second  # noqa: E402


def _rate(value: float) -> str:
    return f"{value / 1e6:8.2f} M pairs/s" if value >= 1e6 else f"{value / 1e3:8.1f} k pairs/s"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--workers", type=int, default=2, help="processes for the top-k step")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    quick = args.quick
    throughput_size = 20_000 if quick else 200_000
    daily_sizes = (2_000, 10_000) if quick else (10_000, 100_000)

    print(f"SaltBitter benchmarks ({'quick' if quick else 'full'} run)")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} cores, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}"
    )

    # -- pairs per second ----------------------------------------------------------
    started = time.perf_counter()
    population = ScoringPopulation.build(synthetic_profiles(throughput_size, seed=args.seed))
    print(
        f"\n[throughput] population of {len(population):,} built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    scalar = scalar_pairs_per_second(population, 4_000 if quick else 20_000)
    exact = batch_pairs_per_second(population, NumpyBatchScorer(), 5 if quick else 20)
    fast = batch_pairs_per_second(
        population, NumpyBatchScorer(precision="float32"), 5 if quick else 20
    )
    print(f"  scalar rule (pure Python, one core)      {_rate(scalar.per_second)}")
    print(
        f"  NumPy one-vs-{throughput_size:,} float64 (one core)  {_rate(exact.per_second)}"
        f"   {exact.seconds / (exact.pairs / throughput_size) * 1e3:6.2f} ms per viewer"
        f"   ×{exact.per_second / scalar.per_second:,.0f} vs scalar"
    )
    print(
        f"  NumPy one-vs-{throughput_size:,} float32 (one core)  {_rate(fast.per_second)}"
        f"   {fast.seconds / (fast.pairs / throughput_size) * 1e3:6.2f} ms per viewer"
        f"   ×{fast.per_second / scalar.per_second:,.0f} vs scalar (ranking only, ~1e-6)"
    )
    del population

    # -- the daily allocation ------------------------------------------------------
    policy = DEFAULT_ALLOCATION_POLICY
    print(
        f"\n[daily allocation] top 200 per member, quotas {policy.quotas.free}/"
        f"{policy.quotas.premium}/{policy.quotas.elite}, exposure cap "
        f"{policy.exposure_cap}, {args.workers} worker process(es) for top-k"
    )
    for size in daily_sizes:
        started = time.perf_counter()
        profiles = synthetic_profiles(size, seed=args.seed + size)
        generated = time.perf_counter() - started
        run = run_daily_allocation(profiles, k=200, workers=args.workers, seed=args.seed)
        report = run.report
        print(f"  {size:,} members (synthetic profiles generated in {generated:.1f} s)")
        print(
            f"    end to end {run.end_to_end_seconds:6.1f} s = layout {run.build_seconds:.1f}"
            f" + arrays {run.prepare_seconds:.1f} + top-k {run.top_k_seconds:.1f}"
            f" + allocation {run.allocate_seconds:.1f} + report {run.report_seconds:.1f}"
        )
        print(
            f"    candidates listed per member {run.candidates_per_member:.0f};"
            f" fill rate {report.fill_rate:.3f}"
        )
        print(
            f"    exposure Gini: {report.exposure_gini:.3f} with the cap,"
            f" {report.unconstrained_exposure_gini:.3f} without"
        )
        print(
            f"    delivered compatibility: {report.compatibility_ratio:.3f} of the"
            f" unconstrained greedy choice in total, {run.mean_score_ratio:.3f} per"
            f" delivered candidate (mean delivered score {report.mean_delivered_score:.3f})"
        )


if __name__ == "__main__":
    main()
