"""Daily sets: a few well-suited, reciprocal candidates per member and day.

The rules are in docs/product-rules.md 6.

At 06:00 in each member's own timezone the hourly sweep (``GenerateDailySets``) picks
every due member's set with the batch scorer and the domain's fair allocation; a member
the sweep has not reached yet (a newcomer) gets theirs built on demand, once, when they
first ask (``GetDailySet``). Either way the (member, local date) key stores one set only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from saltbitter.application.matching.caching import (
    CachedDailyItem,
    CachedDailySet,
    cached_frequencies,
    daily_key,
    store_frequencies,
    tolerant_get,
    tolerant_set,
)
from saltbitter.application.matching.cards import (
    CardData,
    PhotoRef,
    card_data,
    card_of,
    compatibility_view,
    main_photos,
    signed,
)
from saltbitter.application.matching.events import DailySetReady
from saltbitter.application.matching.members import daily_set_due, previous_day
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.selection import Selection, select_daily_sets
from saltbitter.application.matching.views import DailyRunSummary, DailySetItem, DailySetView
from saltbitter.application.ports.batch_scoring import BatchScorer, exclusions_from_histories
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.matching import DailySet, DailySetEntry, MemberRecord
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import (
    DocumentFrequencies,
    PairHistory,
    ScoringPopulation,
    compatibility,
    restate_distance,
)
from saltbitter.domain.errors import PermissionDenied
from saltbitter.domain.matching import Decision
from saltbitter.domain.shared import UserId

__all__ = ["GenerateDailySets", "GetDailySet"]

Progress = Callable[[int, int], None]


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


def _seed(day: date) -> int:
    # Reproducible per day: the same database state gives the same sets.
    return day.toordinal()


@dataclass(frozen=True, slots=True)
class _Pool:
    """Everyone who can be shown today, laid out for the batch scorer."""

    members: tuple[MemberRecord, ...]
    population: ScoringPopulation
    frequencies: DocumentFrequencies

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
        return cls(available, population, frequencies)

    def select(
        self,
        viewers: Collection[UserId],
        histories: Iterable[tuple[UserId, UserId, PairHistory]],
        exposure: dict[UserId, int],
        scorer: BatchScorer,
        policy: MatchingPolicy,
        seed: int,
    ) -> Selection:
        population = self.population
        rows = {member.user_id: row for row, member in enumerate(self.members)}
        return select_daily_sets(
            population,
            sorted(rows[viewer] for viewer in viewers),
            scorer,
            policy,
            exclusions=exclusions_from_histories(population, histories),
            prior_exposure={rows[u]: count for u, count in exposure.items() if u in rows},
            seed=seed,
        )

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
) -> CachedDailySet:
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
                    restate_distance(entry.reasons, card.distance_km),
                ),
                decision=decision,
                matched=history is not None and history.matched,
            )
        )
    return CachedDailySet(daily.local_date, timezone, tuple(items))


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


@dataclass(frozen=True, slots=True)
class GenerateDailySets:
    """The daily job: a set for every member whose 06:00 has come and who has none yet.

    Idempotent per (member, local date): the sets' primary key decides, so a rerun or a
    concurrent run adds nothing. Resumable: sets are written and committed in chunks,
    and a rerun after a crash only works on members without a set. Each stored set is
    cached for 24 h and announced with ``matching.daily_set_ready`` (when not empty).
    ``on`` fixes the local date for everyone; ``all_timezones`` skips the 06:00 check.
    """

    uow: UnitOfWork
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
    ) -> DailyRunSummary:
        now = self.clock.now()
        async with self.uow as uow:
            members = await uow.matching.members(now)
            frequencies = await uow.matching.interest_frequencies()
            pool = _Pool.of(members, frequencies, self.policy)
            targets = {m.user_id: daily_set_due(m.timezone, now, on) for m in pool.members}
            done = await uow.matching.runs_on({target for target, _ in targets.values()})
            due = [
                member
                for member in pool.members
                if (all_timezones or targets[member.user_id][1])
                and (member.user_id, targets[member.user_id][0]) not in done
            ]
            histories = await uow.matching.pair_histories([m.user_id for m in due]) if due else []
            exposure = await uow.matching.recent_exposure(now - self.policy.exposure_window)
        await store_frequencies(self.cache, frequencies, self.policy.frequencies_ttl_seconds)
        dates = sorted({targets[member.user_id][0] for member in due})
        if progress is not None:
            progress(0, len(due))
        if not due:
            return DailyRunSummary(len(pool.members), 0, 0, 0, dates, 0.0, 1.0)
        selection = pool.select(
            [m.user_id for m in due],
            histories,
            exposure,
            self.scorer,
            self.policy,
            _seed(now.date()),
        )
        rows = {member.user_id: row for row, member in enumerate(pool.members)}
        shown = {pool.members[c].user_id for chosen in selection.sets.values() for c in chosen}
        async with self.uow as uow:  # main photos for the cached sets, read once
            photos = await main_photos(uow, shown)
        created = delivered = finished = 0
        size = self.policy.chunk_size
        for start in range(0, len(due), size):
            chunk = due[start : start + size]
            sets = [
                pool.daily_set(
                    rows[member.user_id],
                    selection.sets[rows[member.user_id]],
                    targets[member.user_id][0],
                    now,
                    self.policy,
                )
                for member in chunk
            ]
            stored, cards = await self._store(sets, pool, rows, photos)
            created += len(stored)
            delivered += sum(daily.size for daily in stored)
            for daily in stored:
                viewer = pool.members[rows[daily.user_id]]
                cached = _cached(daily, viewer.timezone, cards[daily.user_id])
                await tolerant_set(
                    self.cache,
                    daily_key(daily.user_id),
                    cached,
                    self.policy.daily_ttl_seconds,
                )
            finished += len(chunk)
            if progress is not None:
                progress(finished, len(due))
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

    async def _store(
        self,
        sets: list[DailySet],
        pool: _Pool,
        rows: dict[UserId, int],
        photos: dict[UserId, PhotoRef],
    ) -> tuple[list[DailySet], dict[UserId, dict[UserId, CardData]]]:
        """Write one chunk in its own transaction; returns the sets this run stored."""
        async with self.uow as uow:
            saved = await uow.matching.save_daily_sets(sets)
            stored = [daily for daily in sets if daily.user_id in saved]
            for daily in stored:
                if daily.size:
                    uow.outbox.add(_ready(daily))
            await uow.commit()
        cards: dict[UserId, dict[UserId, CardData]] = {}
        for daily in stored:
            viewer = pool.members[rows[daily.user_id]]
            cards[daily.user_id] = {
                entry.candidate_id: card_of(
                    viewer, pool.members[rows[entry.candidate_id]], photos.get(entry.candidate_id)
                )
                for entry in daily.entries
            }
        return stored, cards


@dataclass(frozen=True, slots=True)
class GetDailySet:
    """Today's set in the caller's timezone (before 06:00: yesterday's, if there is one).

    A member the daily job has not reached yet gets today's set built on demand, once;
    a paused member gets none (pausing hides them, and they see nobody either). Entries
    whose member is no longer shown (paused, suspended, blocked) are left out; each
    entry says what the caller decided on them so far.
    """

    uow: UnitOfWork
    clock: Clock
    cache: Cache
    scorer: BatchScorer
    policy: MatchingPolicy
    store: PhotoStore

    async def __call__(self, principal: Principal) -> DailySetView:
        now = self.clock.now()
        me = principal.user_id
        hit = await tolerant_get(self.cache, daily_key(me), CachedDailySet)
        if hit is not None and self._current(hit.local_date, hit.timezone, now):
            return await _view(self.store, hit)
        async with self.uow as uow:
            found = await uow.matching.members(now, [me])
            if not found:
                raise _profile_required()
            viewer = found[0]
            today, reached = daily_set_due(viewer.timezone, now)
            daily = await uow.matching.daily_set(me, today)
            if daily is None and not reached:
                daily = await uow.matching.daily_set(me, previous_day(today))
            if daily is None and viewer.profile.available:
                daily = await self._build(uow, viewer, today, now)
            if daily is None:
                daily = DailySet(me, today, (), now)
            cached = await self._render(uow, viewer, daily, now)
        await tolerant_set(self.cache, daily_key(me), cached, self.policy.daily_ttl_seconds)
        return await _view(self.store, cached)

    @staticmethod
    def _current(cached_date: date, timezone: str, now: datetime) -> bool:
        today, reached = daily_set_due(timezone, now)
        return cached_date == today or (not reached and cached_date == previous_day(today))

    async def _build(
        self, uow: UnitOfWork, viewer: MemberRecord, today: date, now: datetime
    ) -> DailySet:
        """Today's set for one member, stored unless a concurrent request stored it first.

        Only the members the hard filters may let through are scored (the repository's
        narrowed read): the same candidates the sweep would consider, at a fraction of
        the cost. No ``daily_set_ready`` event: the member is looking at the set already.
        """
        frequencies = await cached_frequencies(
            self.cache, uow.matching, self.policy.frequencies_ttl_seconds
        )
        nearby = await uow.matching.nearby_members(viewer.profile, now, self.policy.compatibility)
        pool = _Pool.of([viewer, *nearby], frequencies, self.policy)
        histories = await uow.matching.pair_histories([viewer.user_id])
        exposure = await uow.matching.recent_exposure(now - self.policy.exposure_window)
        selection = pool.select(
            [viewer.user_id], histories, exposure, self.scorer, self.policy, _seed(today)
        )
        row = next(r for r, m in enumerate(pool.members) if m.user_id == viewer.user_id)
        daily = pool.daily_set(row, selection.sets[row], today, now, self.policy)
        if await uow.matching.save_daily_sets([daily]):
            await uow.commit()
            return daily
        # Another request (or the sweep) stored today's set first: that one counts.
        stored = await uow.matching.daily_set(viewer.user_id, today)
        return stored if stored is not None else daily

    async def _render(
        self, uow: UnitOfWork, viewer: MemberRecord, daily: DailySet, now: datetime
    ) -> CachedDailySet:
        shown = [entry.candidate_id for entry in daily.entries]
        if not shown:
            return CachedDailySet(daily.local_date, viewer.timezone, ())
        blocked = await uow.matching.blocked_between(viewer.user_id, shown)
        members = [
            member
            for member in await uow.matching.members(now, shown)
            if member.profile.available and member.user_id not in blocked
        ]
        cards = await card_data(uow, viewer, members)
        histories = await uow.matching.pair_histories([viewer.user_id], shown)
        decisions = {other: history for _, other, history in histories}
        return _cached(daily, viewer.timezone, cards, decisions)
