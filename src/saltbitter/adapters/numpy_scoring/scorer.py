"""``NumpyBatchScorer``: the compatibility rule vectorised with NumPy.

``score_one_to_many`` runs the kernel (``_kernel``) for one viewer over all candidates in
cache-sized blocks. With float64 (the default) it agrees with the scalar rule to 1e-9
(measured differences are around 1e-14); ``precision="float32"`` roughly halves memory
traffic and time at about 1e-6 agreement: a documented fast path for ranking only,
never for stored scores.

``top_candidates`` avoids scoring pairs the hard filters would reject anyway. Members
are laid out sorted by (latitude cell, longitude cell, gender, age), so each viewer's
possible candidates are age slices of the blocks that intersect the bounding box of
the viewer's distance limit, of a gender the viewer seeks. The prefilter is exact (it
only skips pairs that are ineligible), so the top k equal those of scoring everyone.
Ranges are planned for all viewers at once (vectorised), then each viewer's ranges are
scored and its top k selected exactly (ties broken by the lower row, as the port says).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

from saltbitter.application.ports.batch_scoring import BatchScorer, OneToManyScores, PairScores
from saltbitter.domain.compatibility import AGE_SLOTS, EARTH_RADIUS_KM, ScoringPopulation
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.matching import AllocationResult, RankedCandidateLists

from ._allocation import allocate_ranked_arrays
from ._kernel import (
    COMPONENT_ROWS,
    KernelConstants,
    SharedInterests,
    ViewerTerms,
    Workspace,
    score_range,
)
from ._layout import (
    GENDER_COUNT,
    Layout,
    PopulationArrays,
    ViewerConstants,
    harmonic_denominators,
)
from ._pairs import PairColumns
from ._pairs import score_pairs as _score_pairs

__all__ = ["NumpyBatchScorer"]

FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

DEFAULT_CHUNK = {"float64": 32768, "float32": 65536}
"""Candidates per kernel pass: the same bytes per buffer (256 KiB) in both precisions;
fewer, longer passes halve float32's per-call overhead (docs/performance.md)."""
# Candidate ranges closer than this are scored as one (the gap is filtered out by the
# kernel's own hard filters): a kernel call and an interest lookup cost about as much
# as scoring a few thousand pairs (measured).
_MERGE_GAP = 4096
_AGE_KEY_STRIDE = 256  # > any age: block number · stride + age orders (block, age)
_PLAN_ELEMENTS = 4_000_000  # viewers × blocks planned at once


@dataclass(frozen=True, slots=True, eq=False)
class _BlockIndex:
    """Members sorted by (latitude cell, longitude cell, gender, age) into blocks."""

    layout: Layout
    cell_degrees: float
    latitude_cells: int
    longitude_cells: int
    block_latitude: IntArray
    block_longitude: IntArray
    block_gender: IntArray
    block_age_key: NDArray[np.int64]
    """Per position: block number · 256 + age, ascending over the whole layout."""


def _as_sequence(array: NDArray[Any]) -> Sequence[Any]:
    # A zero-copy, standard-library view: indexing yields Python ints, floats and bools.
    return cast("Sequence[Any]", np.ascontiguousarray(array).data)


def _valid_rows(rows: Collection[int], size: int) -> IntArray:
    """Rows as an index array, dropping any outside [0, size) (they name nobody here;
    a negative one must not wrap around to the end)."""
    array = np.fromiter(rows, dtype=np.intp, count=len(rows))
    return array[(array >= 0) & (array < size)]


def _merge(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-empty ranges with gaps up to ``_MERGE_GAP`` joined."""
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(ranges):
        if stop <= start:
            continue
        if merged and start - merged[-1][1] <= _MERGE_GAP:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return merged


def _segments(
    ranges: list[tuple[int, int]],
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Group sorted ranges so each group's span is at most about twice what it covers.

    A group shares one interest lookup and one output buffer over its whole span.
    """
    groups: list[tuple[int, int, list[tuple[int, int]]]] = []
    for start, stop in ranges:
        if groups:
            first, _, parts = groups[-1]
            covered = sum(b - a for a, b in parts) + stop - start
            if stop - first <= 2 * covered + _MERGE_GAP:
                parts.append((start, stop))
                groups[-1] = (first, stop, parts)
                continue
        groups.append((start, stop, [(start, stop)]))
    return groups


_Found = tuple[IntArray, IntArray, IntArray, NDArray[np.float64]]
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def _fork_is_safe() -> bool:
    """Forking copies only the calling thread: a lock another thread holds at that moment
    stays locked forever in the child, which then hangs. So fork only single-threaded
    processes (a CLI or benchmark run); elsewhere (an API process, a test run with
    servers in threads) the work stays in this process. Nor may a daemonic process (a
    Celery prefork pool's child) start children of its own: it ranks by itself too."""
    return (
        _CAN_FORK and threading.active_count() == 1 and not multiprocessing.current_process().daemon
    )


_MIN_VIEWERS_PER_TASK = 500
# The scorer, its prepared arrays and the query, inherited by forked worker processes
# (never pickled: the arrays are large and read-only, so copy-on-write shares them).
_FORK_STATE: tuple[NumpyBatchScorer, PopulationArrays, int, Mapping[int, Collection[int]]] | None
_FORK_STATE = None


def _top_in_worker(rows: list[int]) -> _Found:
    if _FORK_STATE is None:
        raise RuntimeError("worker started without a forked scorer")
    scorer, arrays, k, exclusions = _FORK_STATE
    return scorer._top_serial(arrays, rows, k, exclusions)


def _in_worker_processes(
    scorer: NumpyBatchScorer,
    arrays: PopulationArrays,
    tasks: list[list[int]],
    k: int,
    exclusions: Mapping[int, Collection[int]],
    workers: int,
) -> list[_Found]:
    """Run ``_top_serial`` over ``tasks`` in forked processes (results keep task order)."""
    global _FORK_STATE  # noqa: PLW0603 - handed to forked children, reset right after
    _FORK_STATE = (scorer, arrays, k, exclusions)
    # Frozen objects are skipped by the children's garbage collector, which would
    # otherwise touch (and so copy) every page holding the parent's objects. A caller
    # that froze objects already (the daily job freezes its pool) owns the permanent
    # generation: it stays frozen for that caller to unfreeze, else the allotment's
    # collections would walk the whole pool again.
    owned = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_top_in_worker, tasks))
    finally:
        if owned:
            gc.unfreeze()
        _FORK_STATE = None


class NumpyBatchScorer(BatchScorer):
    """Vectorised ``BatchScorer``: tens of millions of pairs per second on one core.

    ``prepare`` lays a population out once (it is also done on first use and cached for
    the most recent population). ``workers`` > 1 lets ``top_candidates`` fan viewers out
    to forked processes (POSIX only; results are identical to one process). Forking a
    process that runs other threads is unsafe, so use it in a dedicated batch process
    (a CLI command, a Celery prefork worker), not inside a threaded web server. Not
    thread-safe: use one instance per thread.
    """

    def __init__(
        self,
        *,
        precision: Literal["float64", "float32"] = "float64",
        chunk_size: int | None = None,
        cell_degrees: float = 1.0,
        workers: int = 1,
    ) -> None:
        if precision not in ("float64", "float32"):
            raise ValidationFailed.single("precision", "must be float64 or float32")
        if chunk_size is None:
            chunk_size = DEFAULT_CHUNK[precision]
        if chunk_size < 256:
            raise ValidationFailed.single("chunk_size", "must be at least 256")
        if not 1 <= workers <= 64:
            raise ValidationFailed.single("workers", "must be between 1 and 64")
        self._workers = workers
        if not 0.01 <= cell_degrees <= 180.0:
            raise ValidationFailed.single("cell_degrees", "must be between 0.01 and 180")
        self._dtype: np.dtype[Any] = np.dtype(np.float64 if precision == "float64" else np.float32)
        self._cell_degrees = cell_degrees
        self._workspace = Workspace(self._dtype, chunk_size)
        self._arrays: PopulationArrays | None = None
        self._constants: KernelConstants | None = None
        self._blocks: _BlockIndex | None = None
        self._age_tables: dict[tuple[int, int, int], FloatArray] = {}
        self._pair_columns: tuple[ScoringPopulation, PairColumns] | None = None
        self._sparse: FloatArray | None = None
        # How the half unit vectors keep |ΔP|² ≤ 1 depends on the precision (``Workspace``).
        self._unit_shrink = self._workspace.unit_shrink

    # -- preparation -----------------------------------------------------------------

    def prepare(self, population: ScoringPopulation) -> PopulationArrays:
        """Lay ``population`` out as arrays (cached for the most recent population)."""
        arrays = self._arrays
        if arrays is None or arrays.population is not population:
            arrays = PopulationArrays.build(population, self._dtype, self._unit_shrink)
            self._arrays = arrays
            self._constants = KernelConstants.of(
                population.policy, arrays.backward_age_denominators, self._workspace
            )
            self._blocks = None
            self._age_tables = {}
        return arrays

    def _kernel_constants(self) -> KernelConstants:
        if self._constants is None:
            raise RuntimeError("prepare() must run first")
        return self._constants

    def _block_index(self, arrays: PopulationArrays) -> _BlockIndex:
        if self._blocks is not None:
            return self._blocks
        columns = arrays.population.columns
        latitude = np.frombuffer(columns.latitude, dtype=np.float64)
        longitude = np.frombuffer(columns.longitude, dtype=np.float64)
        cell = self._cell_degrees
        latitude_cells = math.ceil(180.0 / cell)
        longitude_cells = math.ceil(360.0 / cell)
        cell_lat = np.minimum(((latitude + 90.0) / cell).astype(np.intp), latitude_cells - 1)
        cell_lon = ((longitude + 180.0) / cell).astype(np.intp) % longitude_cells
        gender = arrays.raw.age_key // AGE_SLOTS
        order = np.lexsort((arrays.raw.age, gender, cell_lon, cell_lat)).astype(np.intp)
        layout = arrays.layout(order, features=True)
        block_key = ((cell_lat * longitude_cells + cell_lon) * GENDER_COUNT + gender)[order]
        changes = block_key[1:] != block_key[:-1]
        first = order[np.flatnonzero(np.r_[True, changes])]
        block_of_position = np.cumsum(np.r_[0, changes.astype(np.int64)])
        self._blocks = _BlockIndex(
            layout=layout,
            cell_degrees=cell,
            latitude_cells=latitude_cells,
            longitude_cells=longitude_cells,
            block_latitude=cell_lat[first],
            block_longitude=cell_lon[first],
            block_gender=gender[first],
            block_age_key=block_of_position * _AGE_KEY_STRIDE + layout.age,
        )
        return self._blocks

    def _forward_age_table(self, arrays: PopulationArrays, viewer: ViewerConstants) -> FloatArray:
        """1/a + 1 for the age score a of every (gender, age) against the viewer's window.

        inf where a = 0: beyond the tolerance, or a gender the viewer does not seek.
        Indexed by ``Layout.age_key``; cached per (window, genders sought).
        """
        key = (viewer.age_min, viewer.age_max, viewer.seeks_mask)
        table = self._age_tables.get(key)
        if table is None:
            ages = np.arange(AGE_SLOTS)
            outside = np.maximum(np.maximum(viewer.age_min - ages, ages - viewer.age_max), 0)
            last = len(arrays.forward_age_scores) - 1
            scores = arrays.forward_age_scores[np.minimum(outside, last)]
            sought = [(viewer.seeks_mask >> code) & 1 for code in range(GENDER_COUNT)]
            by_gender = np.concatenate([scores * flag for flag in sought])
            table = harmonic_denominators(by_gender).astype(self._dtype)
            self._age_tables[key] = table
        return table

    def _terms(self, arrays: PopulationArrays, viewer: ViewerConstants) -> ViewerTerms:
        table = self._forward_age_table(arrays, viewer)
        return ViewerTerms.of(viewer, table, self._kernel_constants(), self._dtype)

    def _shared_weights(
        self, layout: Layout, viewer: ViewerConstants, start: int, stop: int
    ) -> SharedInterests | None:
        """Σ idf over the tags the viewer shares with each candidate in [start, stop).

        An inverted-index lookup: one searchsorted locates every rarer tag's holders
        inside the range, one bincount adds up their weights (float32: ``np.add.at`` into
        a reused float32 buffer, half the time of a float64 bincount and its per-chunk
        rounding; a member shares few rare tags, so float32 sums lose a few ulps at
        most); the very common tags' dense rows are added by the kernel chunk by chunk,
        while the chunk is in cache (adding whole rows here streamed the range through
        memory once per tag). None if the viewer lists no interests. The result is valid
        until the next call (the float32 buffer is reused).
        """
        if not viewer.interest_codes:
            return None
        span = stop - start
        keys = viewer.interest_keys
        tags = len(keys)
        sparse: FloatArray | None = None
        if tags:
            bounds = np.searchsorted(
                layout.posting_keys, np.concatenate((keys + start, keys + stop))
            )
            lows, highs = bounds[:tags], bounds[tags:]
            postings = layout.posting_positions
            holders = np.concatenate(
                [postings[low:high] for low, high in zip(lows, highs, strict=True)]
            )
            if len(holders) and self._dtype == np.float64:
                weights = np.repeat(viewer.interest_weight_array, highs - lows)
                counted = np.bincount(holders - start, weights=weights, minlength=span)
                sparse = cast("NDArray[np.float64]", counted)
            elif len(holders):
                weights = np.repeat(viewer.interest_weight_array.astype(self._dtype), highs - lows)
                sparse = self._sparse_buffer(span)
                sparse.fill(0.0)
                np.add.at(sparse, holders - start, weights)
        dense = tuple(layout.dense_weights[row] for row in viewer.dense_rows)
        return SharedInterests(sparse=sparse, origin=start, dense=dense)

    def _sparse_buffer(self, span: int) -> FloatArray:
        buffer = self._sparse
        if buffer is None or len(buffer) < span:
            buffer = np.empty(span, dtype=self._dtype)
            self._sparse = buffer
        return buffer[:span]

    # -- one against many -------------------------------------------------------------

    def score_one_to_many(
        self,
        population: ScoringPopulation,
        viewer: int,
        candidates: Sequence[int] | None = None,
        *,
        excluded: Collection[int] = (),
    ) -> OneToManyScores:
        arrays = self.prepare(population)
        size = len(population)
        if not 0 <= viewer < size:
            raise ValidationFailed.single("viewer", f"must be a row between 0 and {size - 1}")
        rows: IntArray | None = None
        if candidates is not None:
            rows = np.asarray(candidates, dtype=np.intp).reshape(-1)
            if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= size):
                raise ValidationFailed.single("candidates", f"rows must be below {size}")
        constants = arrays.viewers[viewer]
        total = np.empty(size, dtype=self._dtype)
        eligible = np.empty(size, dtype=np.bool_)
        # One block, so the kernel weighs attachment, interests and values in one product.
        parts = np.empty((COMPONENT_ROWS, size), dtype=self._dtype)
        layout = arrays.original
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            score_range(
                self._workspace,
                self._kernel_constants(),
                layout,
                self._terms(arrays, constants),
                self._shared_weights(layout, constants, 0, size),
                0,
                size,
                total,
                eligible,
                parts,
            )
        eligible[layout.unavailable_positions] = False  # see ``score_range``
        if not constants.available:
            eligible.fill(False)
        eligible[viewer] = False
        if excluded:
            eligible[_valid_rows(excluded, size)] = False
        columns = [total, eligible, *parts]
        if rows is not None:
            columns = [column.take(rows) for column in columns]
        return OneToManyScores(
            viewer=viewer,
            candidates=range(size) if rows is None else _as_sequence(rows),
            total=_as_sequence(columns[0]),
            eligible=_as_sequence(columns[1]),
            attachment=_as_sequence(columns[2]),
            interests=_as_sequence(columns[3]),
            values=_as_sequence(columns[4]),
            demographics=_as_sequence(columns[5]),
        )

    # -- given pairs -----------------------------------------------------------------

    def score_pairs(
        self, population: ScoringPopulation, viewers: Sequence[int], candidates: Sequence[int]
    ) -> PairScores:
        """Always float64: these are the stored scores, whatever ``precision`` ranks with."""
        size = len(population)
        first = np.asarray(viewers, dtype=np.int64).reshape(-1)
        second = np.asarray(candidates, dtype=np.int64).reshape(-1)
        if len(first) != len(second):
            raise ValidationFailed.single("candidates", "must be as many as the viewers")
        for name, rows in (("viewers", first), ("candidates", second)):
            if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= size):
                raise ValidationFailed.single(name, f"rows must be between 0 and {size - 1}")
        cached = self._pair_columns
        if cached is None or cached[0] is not population:
            cached = (population, PairColumns.of(population))
            self._pair_columns = cached
        result = _score_pairs(population, cached[1], first, second)
        return PairScores(
            viewers=_as_sequence(first),
            candidates=_as_sequence(second),
            total=_as_sequence(result.total),
            attachment=_as_sequence(result.attachment),
            interests=_as_sequence(result.interests),
            values=_as_sequence(result.values),
            demographics=_as_sequence(result.demographics),
            shown_distance_km=_as_sequence(result.shown_distance_km),
        )

    def allocate(
        self,
        lists: RankedCandidateLists,
        quotas: Sequence[int],
        exposure_cap: int | None,
        *,
        seed: int,
        initial_exposure: Mapping[int, int] | None = None,
    ) -> AllocationResult:
        """The domain's allocation, a round at a time over arrays (``_allocation``)."""
        return allocate_ranked_arrays(
            lists, quotas, exposure_cap, seed=seed, initial_exposure=initial_exposure
        )

    # -- everyone's top k --------------------------------------------------------------

    def top_candidates(
        self,
        population: ScoringPopulation,
        k: int,
        *,
        viewers: Sequence[int] | None = None,
        exclusions: Mapping[int, Collection[int]] | None = None,
    ) -> RankedCandidateLists:
        if k < 0:
            raise ValidationFailed.single("k", "must not be negative")
        arrays = self.prepare(population)
        size = len(population)
        wanted = np.arange(size) if viewers is None else np.unique(np.asarray(viewers, np.intp))
        if len(wanted) and (int(wanted.min()) < 0 or int(wanted.max()) >= size):
            raise ValidationFailed.single("viewers", f"rows must be below {size}")
        exclusions = exclusions or {}
        counts = np.zeros(size + 1, dtype=np.int64)
        parts: list[_Found] = []
        if k > 0 and size > 0:
            self._block_index(arrays)  # built before any fork, so workers share it
            available = [row for row in wanted.tolist() if arrays.viewers[row].available]
            tasks = self._split(available)
            if len(tasks) > 1:
                parts = _in_worker_processes(self, arrays, tasks, k, exclusions, self._workers)
            elif tasks:
                parts = [self._top_serial(arrays, tasks[0], k, exclusions)]
        parts = [part for part in parts if len(part[0])]
        if parts:
            owners = np.concatenate([part[0] for part in parts])
            found = np.concatenate([part[1] for part in parts])
            rows = np.concatenate([part[2] for part in parts])
            scores = np.concatenate([part[3] for part in parts])
            # Lists arrive grouped by query, not by row: reorder whole lists by owner.
            starts = np.cumsum(found) - found
            order = np.argsort(owners, kind="stable")
            lengths = found[order]
            shift = starts[order] - (np.cumsum(lengths) - lengths)
            gather = np.repeat(shift, lengths) + np.arange(int(lengths.sum()))
            rows, scores = rows[gather], scores[gather]
            counts[owners + 1] = found
        else:
            rows = np.zeros(0, dtype=np.intp)
            scores = np.zeros(0, dtype=np.float64)
        return RankedCandidateLists(
            offsets=_as_sequence(np.cumsum(counts)),
            candidates=_as_sequence(rows.astype(np.int64)),
            scores=_as_sequence(scores.astype(np.float64)),
        )

    def _split(self, rows: list[int]) -> list[list[int]]:
        """One task per worker-quarter, or a single task when running in-process."""
        if self._workers <= 1 or len(rows) < _MIN_VIEWERS_PER_TASK * 2 or not _fork_is_safe():
            return [rows] if rows else []
        count = min(self._workers * 4, len(rows) // _MIN_VIEWERS_PER_TASK)
        size = -(-len(rows) // count)
        return [rows[i : i + size] for i in range(0, len(rows), size)]

    def _top_serial(
        self,
        arrays: PopulationArrays,
        rows: list[int],
        k: int,
        exclusions: Mapping[int, Collection[int]],
    ) -> _Found:
        """For the viewers ``rows``, in this process: the viewers that have candidates,
        how many each, then all their candidate rows and scores (list after list)."""
        blocks = self._block_index(arrays)
        owners: list[int] = []
        found: list[int] = []
        candidates: list[IntArray] = []
        scores: list[FloatArray] = []
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for viewer, ranges in self._plan(arrays, blocks, rows):
                best = self._top_for_viewer(
                    arrays, blocks.layout, viewer, ranges, k, exclusions.get(viewer.row)
                )
                if best is not None:
                    owners.append(viewer.row)
                    found.append(len(best[0]))
                    candidates.append(best[0])
                    scores.append(best[1])
        if not owners:
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty, empty, np.zeros(0, dtype=np.float64)
        return (
            np.asarray(owners, dtype=np.intp),
            np.asarray(found, dtype=np.intp),
            np.concatenate(candidates),
            np.concatenate(scores).astype(np.float64),
        )

    def _plan(
        self, arrays: PopulationArrays, blocks: _BlockIndex, rows: list[int]
    ) -> Iterator[tuple[ViewerConstants, list[tuple[int, int]]]]:
        """Each viewer with the layout ranges holding all its possible candidates.

        Viewers are grouped by the blocks in reach (cells of sought genders), and the
        age slices of a group are found with one searchsorted.
        """
        tolerance = arrays.population.policy.age_tolerance_years
        # Viewers in slices, so the viewers × blocks matrix stays small for populations
        # spread over many cells.
        step = max(1, _PLAN_ELEMENTS // max(1, len(blocks.block_gender)))
        for first in range(0, len(rows), step):
            viewers = [arrays.viewers[row] for row in rows[first : first + step]]
            selection = self._blocks_in_reach(blocks, viewers)
            groups: dict[bytes, list[int]] = {}
            packed = np.packbits(selection, axis=1)
            for index in range(len(viewers)):
                groups.setdefault(packed[index].tobytes(), []).append(index)
            for members in groups.values():
                chosen = np.flatnonzero(selection[members[0]])
                if len(chosen) == 0:
                    continue
                keys = chosen.astype(np.int64) * _AGE_KEY_STRIDE
                low = np.array([viewers[i].age_min - tolerance for i in members], dtype=np.int64)
                high = np.array([viewers[i].age_max + tolerance for i in members], dtype=np.int64)
                starts = np.searchsorted(blocks.block_age_key, keys[None, :] + low[:, None])
                stops = np.searchsorted(
                    blocks.block_age_key, keys[None, :] + high[:, None], side="right"
                )
                for index, lows, highs in zip(
                    members, starts.tolist(), stops.tolist(), strict=True
                ):
                    ranges = _merge(list(zip(lows, highs, strict=True)))
                    if ranges:
                        yield viewers[index], ranges

    def _blocks_in_reach(
        self, blocks: _BlockIndex, viewers: Sequence[ViewerConstants]
    ) -> NDArray[np.bool_]:
        """viewers × blocks: the block's cell meets the bounding box of the viewer's
        distance limit, and the viewer seeks the block's gender."""
        cell = blocks.cell_degrees
        latitude = np.array([v.latitude for v in viewers])
        longitude = np.array([v.longitude for v in viewers])
        radius = np.array([v.max_distance_km for v in viewers]) / EARTH_RADIUS_KM
        seeks = np.array([v.seeks_mask for v in viewers], dtype=np.intp)
        margin = 1e-7
        lat_low = latitude - np.degrees(radius) - margin
        lat_high = latitude + np.degrees(radius) + margin
        first_lat = np.maximum(0, np.floor((lat_low + 90.0) / cell)).astype(np.intp)
        last_lat = np.minimum(blocks.latitude_cells - 1, np.floor((lat_high + 90.0) / cell)).astype(
            np.intp
        )
        cos_lat = np.cos(np.radians(latitude))
        reach = np.sin(radius)
        whole_circle = (lat_high >= 90.0) | (lat_low <= -90.0) | (reach >= cos_lat)
        # The spherical cap's longitude half-width: asin(sin ρ / cos φ).
        ratio = np.clip(reach / np.maximum(cos_lat, 1e-12), 0.0, 1.0)
        half_width = np.degrees(np.arcsin(ratio)) + margin
        first_lon = np.floor((longitude - half_width + 180.0) / cell).astype(np.intp)
        last_lon = np.floor((longitude + half_width + 180.0) / cell).astype(np.intp)
        width = last_lon - first_lon
        whole_circle |= width + 1 >= blocks.longitude_cells
        lat_ok = (blocks.block_latitude[None, :] >= first_lat[:, None]) & (
            blocks.block_latitude[None, :] <= last_lat[:, None]
        )
        lon_ok = whole_circle[:, None] | (
            (blocks.block_longitude[None, :] - first_lon[:, None]) % blocks.longitude_cells
            <= width[:, None]
        )
        sought = ((seeks[:, None] >> blocks.block_gender[None, :]) & 1) == 1
        result: NDArray[np.bool_] = lat_ok & lon_ok & sought
        return result

    def _top_for_viewer(
        self,
        arrays: PopulationArrays,
        layout: Layout,
        viewer: ViewerConstants,
        ranges: list[tuple[int, int]],
        k: int,
        excluded: Collection[int] | None,
    ) -> tuple[IntArray, FloatArray] | None:
        """The viewer's k best eligible candidates (rows, scores), best first."""
        terms = self._terms(arrays, viewer)
        constants = self._kernel_constants()
        hidden = layout.positions[_valid_rows(excluded, len(layout))] if excluded else None
        own = int(layout.positions[viewer.row])
        found_positions: list[IntArray] = []
        found_scores: list[FloatArray] = []
        for first, last, parts in _segments(ranges):
            shared = self._shared_weights(layout, viewer, first, last)
            total = np.empty(last - first, dtype=self._dtype)
            eligible = np.zeros(last - first, dtype=np.bool_)  # gaps stay ineligible
            for start, stop in parts:
                window = slice(start - first, stop - first)
                score_range(
                    self._workspace,
                    constants,
                    layout,
                    terms,
                    shared,
                    start,
                    stop,
                    total[window],
                    eligible[window],
                    None,
                )
            if first <= own < last:
                eligible[own - first] = False
            low, high = np.searchsorted(layout.unavailable_positions, (first, last))
            eligible[layout.unavailable_positions[low:high] - first] = False
            if hidden is not None:
                eligible[hidden[(hidden >= first) & (hidden < last)] - first] = False
            keep = np.flatnonzero(eligible)
            found_positions.append(keep + first)
            found_scores.append(total[keep])
        positions = (
            found_positions[0] if len(found_positions) == 1 else np.concatenate(found_positions)
        )
        scores = found_scores[0] if len(found_scores) == 1 else np.concatenate(found_scores)
        if len(scores) == 0:
            return None
        if len(scores) > k:
            # Everything tied with the k-th best stays, so the exact order below decides.
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            best = np.flatnonzero(scores >= kth)
            positions, scores = positions[best], scores[best]
        rows = layout.rows[positions]
        order = np.lexsort((rows, -scores))[:k]
        return rows[order], scores[order]
