"""Daily sets: a few well-suited, reciprocal candidates per member and day.

The rules are in docs/product-rules.md 6.

At 06:00 in each member's own timezone the hourly sweep (``GenerateDailySets``) picks
every due member's set with the batch scorer and the domain's fair allocation; a member
the sweep has not reached yet (a newcomer) gets theirs built on demand, once, when they
first ask (``GetDailySet``). Either way the (member, local date) key stores one set only.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import TypeVar

from saltbitter.application.matching.caching import (
    CachedDailyItem,
    CachedDailySet,
    cached_frequencies,
    daily_key,
    daily_version_key,
    store_daily_sets,
    store_frequencies,
    tolerant_get_many,
)
from saltbitter.application.matching.cards import (
    CardData,
    card_data,
    compatibility_view,
    round4,
    signed,
)
from saltbitter.application.matching.events import DailySetReady
from saltbitter.application.matching.kept import blocked_with
from saltbitter.application.matching.members import daily_set_due, previous_day
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.selection import Selection, select_daily_sets
from saltbitter.application.matching.shards import DailyShard, shard_cap
from saltbitter.application.matching.views import DailyRunSummary, DailySetItem, DailySetView
from saltbitter.application.ports.batch_scoring import (
    BatchScorer,
    PairScores,
    exclusions_from_histories,
)
from saltbitter.application.ports.cache import NOTHING_READ, Cache, CacheReads
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.matching import (
    BlockedMembers,
    CandidateReader,
    DailySet,
    DailySetEntry,
    DailySetStore,
    MemberRecord,
    PhotoRef,
)
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.security import PrincipalCache
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import (
    ComponentScores,
    DocumentFrequencies,
    PairExplainer,
    PairHistory,
    ScoringPopulation,
    compatibility,
    restate_distance,
)
from saltbitter.domain.errors import PermissionDenied
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import Tier, UserId

__all__ = ["GenerateDailySets", "GetDailySet", "KeptDailySets"]

Progress = Callable[[int, int], None]
T = TypeVar("T")


def _profile_required() -> PermissionDenied:
    return PermissionDenied(
        "Create your profile first: daily matches are chosen from it.", code="profile_required"
    )


def _entries(
    viewer: MemberRecord,
    chosen: Iterable[MemberRecord],
    frequencies: DocumentFrequencies,
    policy: MatchingPolicy,
) -> tuple[DailySetEntry, ...]:
    """The stored scores and reasons come from the reference (scalar) rule."""
    scored = [
        (
            candidate,
            compatibility(viewer.profile, candidate.profile, frequencies, policy.compatibility),
        )
        for candidate in chosen
    ]
    scored.sort(key=lambda item: (-item[1].total, item[0].user_id))
    return tuple(
        DailySetEntry(
            candidate_id=candidate.user_id,
            total=result.total,
            components=result.components,
            reasons=tuple(reason.text for reason in result.reasons),
        )
        for candidate, result in scored
    )


# Totals closer than this are ordered by the scalar rule, not the batch's rounding.
_TIE_MARGIN = 4e-9


def _batch_entries(
    pool: _Pool,
    viewer_row: int,
    chosen_rows: Sequence[int],
    scores: PairScores,
    first: int,
    policy: MatchingPolicy,
) -> tuple[tuple[DailySetEntry, ...], list[int]]:
    """``_entries`` from pairs the batch scorer scored (``scores[first:first + len]``):
    the reasons come from the batch's components (``PairExplainer``), and any pair whose
    reasons a rounding could change (``explanation_is_stable``), or any set with
    near-equal totals, is left to the scalar rule, so the stored sets are the reference
    rule's. Also each entry's position in ``scores`` (its card's row and distance).

    The pairs are ordered as plain tuples (−total, candidate id, position, texts) and
    their entries made once, in that order, and only when the set is kept: candidate ids
    are distinct within a set, so the tuples never compare further than the id."""
    members, explainer = pool.members, pool.explainer
    total, shown_km = scores.total, scores.shown_distance_km
    attachments, interests, values = scores.attachment, scores.interests, scores.values
    demographics = scores.demographics
    texts_of = explainer.texts
    placed: list[tuple[float, UserId, int, tuple[str, ...] | DailySetEntry]] = []
    for at, row in enumerate(chosen_rows, first):
        attachment, interest, value, demographic = (
            attachments[at],
            interests[at],
            values[at],
            demographics[at],
        )
        texts = texts_of(viewer_row, row, attachment, interest, value, demographic, shown_km[at])
        candidate = members[row]
        if texts is None:
            entry = _entries(members[viewer_row], (candidate,), pool.frequencies, policy)[0]
            placed.append((-entry.total, entry.candidate_id, at, entry))
        else:
            placed.append((-total[at], candidate.profile.user_id, at, texts))
    placed.sort()  # (−total, candidate id): the reference's order
    if any(low[0] - high[0] <= _TIE_MARGIN for high, low in pairwise(placed)):
        return _scalar_entries(pool, viewer_row, chosen_rows, first, policy)
    entries = [
        made
        if isinstance(made, DailySetEntry)
        else DailySetEntry(
            candidate_id,
            -negated,
            ComponentScores(attachments[at], interests[at], values[at], demographics[at]),
            made,
        )
        for negated, candidate_id, at, made in placed
    ]
    return tuple(entries), [item[2] for item in placed]


def _scalar_entries(
    pool: _Pool,
    viewer_row: int,
    chosen_rows: Sequence[int],
    first: int,
    policy: MatchingPolicy,
) -> tuple[tuple[DailySetEntry, ...], list[int]]:
    """The whole set by the scalar rule (near-equal totals), with each entry's position."""
    members = pool.members
    entries = _entries(
        members[viewer_row], (members[row] for row in chosen_rows), pool.frequencies, policy
    )
    at_of = {members[row].user_id: at for at, row in enumerate(chosen_rows, first)}
    return entries, [at_of[entry.candidate_id] for entry in entries]


def _seed(day: date) -> int:
    # Reproducible per day: the same database state gives the same sets.
    return day.toordinal()


@dataclass(frozen=True, slots=True)
class _ScoredSets:
    """One chunk's sets, and where each entry's pair is in ``scores`` (entry order):
    its candidate row and shown distance, for the cards."""

    sets: list[DailySet]
    positions: list[list[int]]
    scores: PairScores


@dataclass(frozen=True, slots=True)
class _Pool:
    """Everyone who can be shown today, laid out for the batch scorer."""

    members: tuple[MemberRecord, ...]
    population: ScoringPopulation
    frequencies: DocumentFrequencies
    explainer: PairExplainer

    @classmethod
    def of(
        cls,
        members: Iterable[MemberRecord],
        frequencies: DocumentFrequencies,
        policy: MatchingPolicy,
    ) -> _Pool:
        available = tuple(member for member in members if member.profile.available)
        population = ScoringPopulation.build(
            (member.profile for member in available), frequencies, policy.compatibility
        )
        explainer = PairExplainer(
            [member.profile for member in available], frequencies, policy.compatibility
        )
        return cls(available, population, frequencies, explainer)

    def select(
        self,
        viewers: Collection[UserId],
        histories: Iterable[tuple[UserId, UserId, PairHistory]],
        blocked: Iterable[Collection[UserId]],
        exposure: dict[UserId, int],
        scorer: BatchScorer,
        policy: MatchingPolicy,
        seed: int,
    ) -> Selection:
        """The allotment; pairs with an excluding history or a block (either direction)
        are never allotted, so their slots go to other candidates."""
        population = self.population
        rows = {member.user_id: row for row, member in enumerate(self.members)}
        exclusions = {
            row: set(excluded)
            for row, excluded in exclusions_from_histories(population, histories).items()
        }
        for pair in blocked:
            ends = [rows[member] for member in pair if member in rows]
            if len(ends) == 2:
                first, second = ends
                exclusions.setdefault(first, set()).add(second)
                exclusions.setdefault(second, set()).add(first)
        return select_daily_sets(
            population,
            sorted(rows[viewer] for viewer in viewers),
            scorer,
            policy,
            exclusions={row: frozenset(excluded) for row, excluded in exclusions.items()},
            prior_exposure={rows[u]: count for u, count in exposure.items() if u in rows},
            seed=seed,
        )

    def daily_sets(
        self,
        wanted: Sequence[tuple[int, Sequence[int], date]],
        now: datetime,
        scorer: BatchScorer,
        policy: MatchingPolicy,
    ) -> _ScoredSets:
        """The sets for (viewer row, chosen rows, local date), all their pairs scored in
        one batch."""
        viewers = [viewer for viewer, chosen, _ in wanted for _ in chosen]
        candidates = [row for _, chosen, _ in wanted for row in chosen]
        scores = scorer.score_pairs(self.population, viewers, candidates)
        members = self.members
        sets: list[DailySet] = []
        placed: list[list[int]] = []
        first = 0
        for viewer_row, chosen_rows, local_date in wanted:
            entries, positions = _batch_entries(
                self, viewer_row, chosen_rows, scores, first, policy
            )
            first += len(chosen_rows)
            sets.append(DailySet(members[viewer_row].user_id, local_date, entries, now))
            placed.append(positions)
        return _ScoredSets(sets, placed, scores)

    def daily_set(
        self,
        viewer_row: int,
        chosen_rows: Sequence[int],
        local_date: date,
        now: datetime,
        policy: MatchingPolicy,
    ) -> DailySet:
        viewer = self.members[viewer_row]
        chosen = (self.members[row] for row in chosen_rows)
        return DailySet(
            user_id=viewer.user_id,
            local_date=local_date,
            entries=_entries(viewer, chosen, self.frequencies, policy),
            created_at=now,
        )


def _ready(daily: DailySet) -> DailySetReady:
    return DailySetReady(user_id=daily.user_id, local_date=daily.local_date, size=daily.size)


def _cached(
    daily: DailySet,
    timezone: str,
    cards: dict[UserId, CardData],
    decisions: dict[UserId, PairHistory] | None = None,
    *,
    just_scored: bool = False,
) -> CachedDailySet:
    """``just_scored``: the set was scored with the cards' distances a moment ago (the
    daily job), so its distance reasons already say the cards' numbers."""
    items: list[CachedDailyItem] = []
    for entry in daily.entries:
        card = cards.get(entry.candidate_id)
        if card is None:
            continue  # no longer shown to anyone (paused, suspended, blocked)
        history = (decisions or {}).get(entry.candidate_id)
        decision = None
        if history is not None and history.viewer_liked:
            decision = Decision.LIKE
        elif history is not None and history.viewer_passed:
            decision = Decision.PASS
        items.append(
            CachedDailyItem(
                card=card,
                # The set was scored earlier: its distance reason says the card's number.
                compatibility=compatibility_view(
                    entry.total,
                    entry.components,
                    entry.reasons
                    if just_scored
                    else restate_distance(entry.reasons, card.distance_km),
                ),
                decision=decision,
                matched=history is not None and history.matched,
            )
        )
    return CachedDailySet(daily.local_date, timezone, tuple(items))


class _FreshCache:
    """The cache entries of sets the daily job has just scored and stored, as the plain
    mappings their ``CachedDailySet`` encodes to, key for key in field order (a unit test
    holds the two encodings byte-equal): ``_cached`` with ``card_of`` and
    ``compatibility_view``, without five frozen objects per delivered pair. Every
    candidate is in the pool (so has a card), nobody has decided on anyone yet, and the
    reasons already say the cards' distances.

    A candidate's card is the same in every set but for the distance: it is made once
    per run (by pool row), made ready for the cache with the distance as its hole
    (``Cache.with_hole``: Redis's and the in-process cache encode it once), and filled
    per pair."""

    __slots__ = ("_cache", "_cards", "_members", "_photos")

    def __init__(
        self, members: Sequence[MemberRecord], photos: Mapping[UserId, PhotoRef], cache: Cache
    ):
        self._members = members
        self._photos = photos
        self._cache = cache
        self._cards: list[Callable[[int], object] | None] = [None] * len(members)

    def _card(self, row: int) -> Callable[[int], object]:
        member = self._members[row]
        profile = member.profile
        card: dict[str, object] = {
            "user_id": profile.user_id,
            "display_name": member.display_name,
            "age": profile.age,
            "gender": profile.gender,
            "distance_km": 0,  # the pair's, filled per use
            "bio": member.bio,
            "interests": member.interests,
            "relationship_goal": member.relationship_goal,
            "photo": self._photos.get(profile.user_id),
        }
        filled = self._cache.with_hole(card, "distance_km")
        self._cards[row] = filled
        return filled

    def entry(
        self, daily: DailySet, timezone: str, positions: Sequence[int], scores: PairScores
    ) -> dict[str, object]:
        cards, rows, shown_km = self._cards, scores.candidates, scores.shown_distance_km
        items: list[dict[str, object]] = []
        for entry, at in zip(daily.entries, positions, strict=True):
            row = rows[at]
            card = (cards[row] or self._card(row))(shown_km[at])
            components = entry.components
            view = {
                "total": round4(entry.total),
                "components": {
                    "attachment": round4(components.attachment),
                    "interests": round4(components.interests),
                    "values": round4(components.values),
                    "demographics": round4(components.demographics),
                },
                "reasons": entry.reasons,
            }
            items.append({"card": card, "compatibility": view, "decision": None, "matched": False})
        return {"local_date": daily.local_date, "timezone": timezone, "items": items}


def _within_entitlement(cached: CachedDailySet, size: int) -> CachedDailySet:
    """The set cut to the tier's ``daily_matches`` (its best entries): a set chosen or
    cached under a higher tier shrinks at once after a downgrade."""
    if len(cached.items) <= size:
        return cached
    return replace(cached, items=cached.items[:size])


async def _view(store: PhotoStore, cached: CachedDailySet) -> DailySetView:
    return DailySetView(
        local_date=cached.local_date,
        items=[
            DailySetItem(
                member=await signed(store, item.card),
                compatibility=item.compatibility,
                decision=item.decision,
                matched=item.matched,
            )
            for item in cached.items
        ],
    )


async def _alongside(work: Awaitable[T], other: Awaitable[object] | None) -> T:
    """``work``'s result once ``other`` has ended too; a failure of either is raised
    (``other``'s first: it is the earlier chunk) only after both have ended."""
    if other is None:
        return await work
    result, done = await asyncio.gather(work, other, return_exceptions=True)
    if isinstance(done, BaseException):
        raise done
    if isinstance(result, BaseException):
        raise result
    return result


class _LongLivedPool:
    """The cyclic garbage collector around a daily run: paused while the members are
    read and the pool is built, then told to leave alone (freeze) what exists once the
    pool, and again once the allotment, is made, until the run ends; paused again from
    the allotment on, while the chunks are scored, written and cached.

    The pool (a few million objects at 100,000 members) and the allotment live through
    the whole run, and every full collection walked all of them again: about a quarter
    of the job's CPU at 20,000 members (measured with ``gc.callbacks``). The chunks then
    make about 50,000 containers each (entries, reasons, cache mappings), which set off
    young collections and, with the pool frozen out of the collector's counts, a full
    one every tenth: 15 % of the job's CPU at 20,000 members, to find no garbage at all
    (``gc.collect()`` at the end of such a run frees nothing: the chunks' objects are
    freed by reference counting). Frozen objects are still freed by reference counting;
    garbage cycles made during the run wait for the first collection after it.
    """

    __slots__ = ("_active", "_enabled")

    def __init__(self, active: bool = True) -> None:
        # Inactive (MatchingPolicy.pause_collector off) where the run shares its process
        # with other work, the API's in embedded mode: that work needs its collections.
        self._active = active
        self._enabled = False

    def __enter__(self) -> _LongLivedPool:
        if self._active:
            self._enabled = gc.isenabled()
            gc.disable()
        return self

    def settled(self) -> None:
        """What exists now lives until the run ends: leave it alone."""
        if self._active:
            gc.freeze()
            if self._enabled:
                gc.enable()

    def settled_for_the_chunks(self) -> None:
        """``settled``, and the collector paused until the run ends: what the chunks
        make is freed by reference counting."""
        if self._active:
            gc.freeze()
            gc.disable()

    def __exit__(self, *_: object) -> None:
        if self._active:
            gc.unfreeze()
            if self._enabled:
                gc.enable()


@dataclass(frozen=True, slots=True)
class GenerateDailySets:
    """The daily job: a set for every member whose 06:00 has come and who has none yet.

    Idempotent per (member, local date): the sets' primary key decides, so a rerun or a
    concurrent run adds nothing. Resumable: sets are written and committed in chunks,
    and a rerun after a crash only works on members without a set. Each stored set is
    cached for 24 h and announced with ``matching.daily_set_ready`` (when not empty).
    ``on`` fixes the local date for everyone; ``all_timezones`` skips the 06:00 check.

    With a ``shard`` (ADR 0034) the run makes the sets of that shard's members only, due
    as of the sweep's ``as_of``, under the shard's quota of the exposure cap: the share
    of each candidate's room left by sets made before ``as_of``, less what this shard's
    earlier (interrupted) attempts placed, so the shards together, run in any order and
    retried any number of times, never exceed the cap.
    """

    transaction: Transaction
    candidates: CandidateReader
    blocked: BlockedMembers
    daily_sets: DailySetStore
    outbox: Outbox
    clock: Clock
    cache: Cache
    scorer: BatchScorer
    policy: MatchingPolicy

    async def __call__(
        self,
        on: date | None = None,
        *,
        all_timezones: bool = False,
        progress: Progress | None = None,
        shard: DailyShard | None = None,
    ) -> DailyRunSummary:
        with _LongLivedPool(self.policy.pause_collector) as collector:
            return await self._generate(on, all_timezones, progress, shard, collector)

    async def _generate(
        self,
        on: date | None,
        all_timezones: bool,
        progress: Progress | None,
        shard: DailyShard | None,
        collector: _LongLivedPool,
    ) -> DailyRunSummary:
        now = self.clock.now()
        as_of = now if shard is None else shard.as_of
        policy = self.policy
        candidates, daily_sets = self.candidates, self.daily_sets
        # Read in one transaction, left (not held) while the scorer works.
        async with self.transaction:
            members = await candidates.members(now)
            frequencies = await candidates.interest_frequencies()
            pool = _Pool.of(members, frequencies, self.policy)
            targets = {m.user_id: daily_set_due(m.timezone, as_of, on) for m in pool.members}
            done = await daily_sets.runs_on({target for target, _ in targets.values()})
            due = [
                member
                for member in pool.members
                if (all_timezones or targets[member.user_id][1])
                and (member.user_id, targets[member.user_id][0]) not in done
                and (shard is None or shard.holds(member.user_id))
            ]
            histories = await candidates.pair_histories([m.user_id for m in due]) if due else []
            blocked = await self.blocked.blocked_pairs([m.user_id for m in due]) if due else []
            if shard is None:
                exposure = await daily_sets.recent_exposure(now - policy.exposure_window)
            else:
                policy, exposure = await self._shard_quota(shard, done)
                due.sort(key=lambda member: member.user_id)  # the same chunks on a rerun
        collector.settled()
        await store_frequencies(self.cache, frequencies, self.policy.frequencies_ttl_seconds)
        dates = sorted({targets[member.user_id][0] for member in due})
        if progress is not None:
            progress(0, len(due))
        if not due:
            return DailyRunSummary(len(pool.members), 0, 0, 0, dates, 0.0, 1.0)
        selection = pool.select(
            [m.user_id for m in due],
            histories,
            blocked,
            exposure,
            self.scorer,
            policy,
            _seed(as_of.date()),
        )
        # Rows first (plain ints), ids once per shown member: 1.3 million places at
        # 100,000 members name some 70,000 members.
        shown_rows: set[int] = set()
        for chosen in selection.sets.values():
            shown_rows.update(chosen)
        shown = {pool.members[row].profile.user_id for row in shown_rows}
        async with self.transaction:  # main photos for the cached sets, read once
            photos = await candidates.main_photos(shown) if shown else {}
        collector.settled_for_the_chunks()  # the allotment lives through the run too
        created, delivered = await self._chunks(
            pool,
            due,
            [targets[member.user_id][0] for member in due],
            selection,
            photos,
            now,
            progress,
        )
        report = selection.report
        return DailyRunSummary(
            members=len(pool.members),
            due=len(due),
            created=created,
            delivered=delivered,
            local_dates=dates,
            exposure_gini=report.exposure_gini,
            compatibility_ratio=report.compatibility_ratio,
        )

    async def _chunks(
        self,
        pool: _Pool,
        due: Sequence[MemberRecord],
        dates: Sequence[date],
        selection: Selection,
        photos: Mapping[UserId, PhotoRef],
        now: datetime,
        progress: Progress | None,
    ) -> tuple[int, int]:
        """The sets of the ``due`` members (to be dated ``dates``), written, committed
        and cached chunk by chunk; the sets stored and the candidates placed."""
        counts = [0, 0]  # sets stored, candidates placed
        members = pool.members
        rows = {member.user_id: row for row, member in enumerate(members)}
        fresh = _FreshCache(members, photos, self.cache)

        async def cache(scored: _ScoredSets, stored: list[DailySet]) -> None:
            saved = {daily.user_id for daily in stored}
            await store_daily_sets(
                self.cache,
                [
                    (
                        daily.user_id,
                        fresh.entry(
                            daily, members[rows[daily.user_id]].timezone, positions, scored.scores
                        ),
                    )
                    for daily, positions in zip(scored.sets, scored.positions, strict=True)
                    if daily.user_id in saved
                ],
                self.policy.daily_ttl_seconds,
            )

        async def write(
            scored: _ScoredSets, finished: int, caching: asyncio.Task[None] | None
        ) -> asyncio.Task[None]:
            """Store the chunk while the previous chunk is cached (``caching``), then
            start caching this one: the next chunk's write need not wait for it."""
            try:
                stored = await self._store(scored.sets)
            finally:
                if caching is not None:
                    await caching  # the earlier chunk's failure, if any, comes first
            counts[0] += len(stored)
            counts[1] += sum(daily.size for daily in stored)
            if progress is not None:
                progress(finished, len(due))
            return asyncio.create_task(cache(scored, stored))

        # Each chunk's sets are scored in a worker thread while the previous chunk is
        # written, and the one before that cached (the database's and Redis's work
        # overlaps the scoring, and the cache's Python overlaps the database's work);
        # one chunk in each stage at a time, written in order, each in its own
        # transaction, cached once committed.
        # The thread is the run's own and ends with it: a later run in this process
        # (the next shard of a CLI sweep) finds it single-threaded again, so its
        # scorer may fork its ranking (forking is refused while other threads run).
        loop = asyncio.get_running_loop()
        writing: asyncio.Task[asyncio.Task[None]] | None = None
        caching: asyncio.Task[None] | None = None
        size = self.policy.chunk_size
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="daily-scoring") as thread:
            try:
                for start in range(0, len(due), size):
                    chunk = due[start : start + size]
                    wanted = [
                        (rows[member.user_id], selection.sets[rows[member.user_id]], local_date)
                        for member, local_date in zip(
                            chunk, dates[start : start + size], strict=True
                        )
                    ]
                    scoring = loop.run_in_executor(
                        thread, pool.daily_sets, wanted, now, self.scorer, self.policy
                    )
                    scored = await _alongside(scoring, writing)
                    if writing is not None:
                        caching = writing.result()
                    writing = asyncio.create_task(write(scored, start + len(chunk), caching))
                if writing is not None:
                    await (await writing)
            except BaseException:
                # A failed scoring leaves the last stored chunk's caching running: it
                # ends (or fails) before the run does.
                if (
                    writing is not None
                    and writing.done()
                    and not writing.cancelled()
                    and writing.exception() is None
                ):
                    await asyncio.gather(writing.result(), return_exceptions=True)
                raise
        return counts[0], counts[1]

    async def _shard_quota(
        self, shard: DailyShard, done: Collection[tuple[UserId, date]]
    ) -> tuple[MatchingPolicy, dict[UserId, int]]:
        """The shard's allocation policy (its share of the cap) and starting exposure:
        what leaves each candidate its share of the room that sets made before the
        sweep left, less what this shard's earlier attempts placed since."""
        cap = self.policy.allocation.exposure_cap
        since = shard.as_of - self.policy.exposure_window
        prior = await self.daily_sets.recent_exposure(since, shard.as_of)
        mine = [member for member, _ in done if shard.holds(member)]
        placed = await self.daily_sets.exposure_from(mine, shard.as_of) if mine else {}
        if cap is None:
            return self.policy, prior
        quota = shard_cap(cap, shard.count, prior)
        exposure = dict(quota.initial)
        for candidate, count in placed.items():
            exposure[candidate] = exposure.get(candidate, 0) + count
        allocation = replace(self.policy.allocation, exposure_cap=quota.cap)
        return replace(self.policy, allocation=allocation), exposure

    async def _store(self, sets: list[DailySet]) -> list[DailySet]:
        """Write one chunk in its own transaction; returns the sets this run stored."""
        async with self.transaction:
            saved = await self.daily_sets.save_daily_sets(sets)
            stored = [daily for daily in sets if daily.user_id in saved]
            for daily in stored:
                if daily.size:
                    self.outbox.add(_ready(daily))
            await self.transaction.commit()
        return stored


# A kept view hands out photo links signed when it was built: links live 15 minutes,
# so a kept view is served for a small fraction of that at most (and for no longer than
# the principal cache keeps views, 30 s by default).
_KEPT_LINKS_FOR = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class _KeptDailyView:
    """A cached set's view, kept per process under the member's stamp (ADR 0036).

    It counts only for the very entry it was built from (``version``, the token written
    with the entry and deleted with it: any change of the cached set, a deletion after a
    like, pass, match, unmatch or another member's change, or the daily job's new set,
    leaves another token or none; ADR 0049), for the same tier (so the
    same size: a process's tier quotas are the catalog's, fixed), for the same local
    day, and while its photo links are fresh. Blocks and unblocks by either member and
    tier changes renew the stamp (their adapters mark the members).
    """

    version: bytes
    tier: Tier
    timezone: str
    built_at: datetime
    view: DailySetView

    def serves(self, version: bytes, tier: Tier, now: datetime) -> bool:
        return (
            version == self.version
            and tier is self.tier
            and now - self.built_at < _KEPT_LINKS_FOR
            and GetDailySet._current(self.view.local_date, self.timezone, now)
        )


@dataclass(frozen=True, slots=True)
class KeptDailySets:
    """The kept views of cached daily sets (``_KeptDailyView``): what a request needs to
    be answered from one, and nothing it would need otherwise.

    Process-wide (its collaborators are), so the HTTP edge asks it first and builds
    ``GetDailySet`` (ten collaborators, the request's connection among them) only when
    it has no answer (ADR 0049); ``GetDailySet`` asks it the same question, so both
    serve a kept view under the same rule.
    """

    principals: PrincipalCache
    clock: Clock

    def served(self, principal: Principal, read_before: CacheReads) -> DailySetView | None:
        """The kept view, if the cached set's version token came with the request
        (``read_before``) and the view kept for it still holds; None otherwise (then ask
        ``GetDailySet``)."""
        version = read_before.get(daily_version_key(principal.user_id))
        if version is None:
            return None
        return self.view_for(principal, version, self.clock.now())

    def view_for(self, principal: Principal, version: bytes, now: datetime) -> DailySetView | None:
        stamp = principal.stamp
        if stamp is None:
            return None
        kept = self.principals.kept_view(principal.user_id, stamp, _KeptDailyView)
        if kept is not None and kept.serves(version, principal.tier, now):
            return kept.view
        return None

    def keep(
        self,
        principal: Principal,
        version: bytes,
        timezone: str,
        now: datetime,
        view: DailySetView,
    ) -> None:
        """Keep ``view``, built from the entry read at once with ``version``."""
        stamp = principal.stamp
        if stamp is not None:
            kept = _KeptDailyView(version, principal.tier, timezone, now, view)
            self.principals.keep_view(principal.user_id, stamp, kept)


@dataclass(frozen=True, slots=True)
class GetDailySet:
    """Today's set in the caller's timezone (before 06:00: yesterday's, if there is one).

    A member the daily job has not reached yet gets today's set built on demand, once;
    a paused member gets none (pausing hides them, and they see nobody either). Entries
    whose member is no longer shown (paused, suspended, blocked) are left out; each
    entry says what the caller decided on them so far. Blocks are checked on every
    read, the cached set's too, so a block hides a member at once; the view of a cached
    set is then kept per process under the caller's stamp, which a block or unblock by
    either member renews (``_KeptDailyView``, ADR 0036; ``KeptDailySets``). The
    caller's current tier is read on every request too: a set chosen (or cached) under a
    higher tier is cut to the tier's ``daily_matches``, so a downgrade shrinks it at
    once; an upgrade brings the larger set with the next day's sweep.
    """

    transaction: Transaction
    candidates: CandidateReader
    blocked: BlockedMembers
    daily_sets: DailySetStore
    clock: Clock
    cache: Cache
    scorer: BatchScorer
    policy: MatchingPolicy
    store: PhotoStore
    principals: PrincipalCache
    kept: KeptDailySets

    async def __call__(
        self, principal: Principal, read_before: CacheReads = NOTHING_READ
    ) -> DailySetView:
        """``read_before``: cache entries the caller read already (the HTTP edge reads
        the set's version token in its one Redis round trip; ADR 0044, 0049)."""
        now = self.clock.now()
        me = principal.user_id
        # The tier read for this request; the quotas are the catalog's (policy.tier_quotas).
        size = self.policy.allocation.quotas.for_tier(principal.tier)
        key, version_key = daily_key(me), daily_version_key(me)
        version = read_before.get(version_key)
        if version is not None:
            kept = self.kept.view_for(principal, version, now)
            if kept is not None:
                return kept
        # The set and its token at once (one MGET): the token stands for these bytes.
        raw, version = await tolerant_get_many(self.cache, (key, version_key))
        if version is not None and raw is not None:
            kept = self.kept.view_for(principal, version, now)
            if kept is not None:
                return kept
        hit = None if raw is None else self.cache.decoded(raw, CachedDailySet)
        if raw is not None and hit is not None and self._current(hit.local_date, hit.timezone, now):
            entitled = _within_entitlement(hit, size)
            view = await _view(self.store, await self._unblocked(principal, entitled))
            if version is not None:  # a set without one (an older release's) is not kept
                self.kept.keep(principal, version, hit.timezone, now, view)
            return view
        found = await self.candidates.members(now, [me])
        if not found:
            raise _profile_required()
        viewer = found[0]
        today, reached = daily_set_due(viewer.timezone, now)
        daily = await self.daily_sets.daily_set(me, today)
        if daily is None and not reached:
            daily = await self.daily_sets.daily_set(me, previous_day(today))
        if daily is None and viewer.profile.available:
            daily = await self._build(viewer, today, now)
        if daily is None:
            daily = DailySet(me, today, (), now)
        rendered = await self._render(viewer, daily, now)
        await store_daily_sets(self.cache, [(me, rendered)], self.policy.daily_ttl_seconds)
        return await _view(self.store, _within_entitlement(rendered, size))

    async def _unblocked(self, principal: Principal, cached: CachedDailySet) -> CachedDailySet:
        """The cached set without anyone blocked since it was rendered (the blocks kept
        under the member's stamp, as discovery's)."""
        shown = [item.card.user_id for item in cached.items]
        blocked = (
            await blocked_with(self.principals, self.blocked, principal, shown)
            if shown
            else frozenset()
        )
        if not blocked:
            return cached
        items = tuple(item for item in cached.items if item.card.user_id not in blocked)
        return replace(cached, items=items)

    @staticmethod
    def _current(cached_date: date, timezone: str, now: datetime) -> bool:
        today, reached = daily_set_due(timezone, now)
        return cached_date == today or (not reached and cached_date == previous_day(today))

    async def _build(self, viewer: MemberRecord, today: date, now: datetime) -> DailySet:
        """Today's set for one member, stored unless a concurrent request stored it first.

        Only the members the hard filters may let through are scored (the repository's
        narrowed read): the same candidates the sweep would consider, at a fraction of
        the cost; members blocked either way are left out. No ``daily_set_ready`` event:
        the member is looking at the set already.
        """
        candidates, daily_sets = self.candidates, self.daily_sets
        frequencies = await cached_frequencies(
            self.cache, candidates, self.policy.frequencies_ttl_seconds
        )
        nearby = await candidates.nearby_members(viewer.profile, now, self.policy.compatibility)
        blocked = await self.blocked.blocked_between(viewer.user_id, [m.user_id for m in nearby])
        allowed = [member for member in nearby if member.user_id not in blocked]
        pool = _Pool.of([viewer, *allowed], frequencies, self.policy)
        histories = await candidates.pair_histories([viewer.user_id])
        exposure = await daily_sets.recent_exposure(now - self.policy.exposure_window)
        selection = pool.select(
            [viewer.user_id], histories, (), exposure, self.scorer, self.policy, _seed(today)
        )
        row = next(r for r, m in enumerate(pool.members) if m.user_id == viewer.user_id)
        daily = pool.daily_set(row, selection.sets[row], today, now, self.policy)
        async with self.transaction:
            if await daily_sets.save_daily_sets([daily]):
                await self.transaction.commit()
                return daily
        # Another request (or the sweep) stored today's set first: that one counts.
        stored = await daily_sets.daily_set(viewer.user_id, today)
        return stored if stored is not None else daily

    async def _render(self, viewer: MemberRecord, daily: DailySet, now: datetime) -> CachedDailySet:
        shown = [entry.candidate_id for entry in daily.entries]
        if not shown:
            return CachedDailySet(daily.local_date, viewer.timezone, ())
        candidates = self.candidates
        blocked = await self.blocked.blocked_between(viewer.user_id, shown)
        members = [
            member
            for member in await candidates.members(now, shown)
            if member.profile.available and member.user_id not in blocked
        ]
        cards = await card_data(candidates, viewer, members)
        histories = await candidates.pair_histories([viewer.user_id], shown)
        decisions = {other: history for _, other, history in histories}
        return _cached(daily, viewer.timezone, cards, decisions)
