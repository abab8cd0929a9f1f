"""Discovery: a finite, best-first browse of members who pass the hard filters.

The ranked list is built from the members the hard filters let through (both
directions; not liked, passed or matched already), scored with the batch scorer, and
cut to the tier's daily allowance (``discover_profiles_per_day``): a rebuild later that
day (after a like, or when the 10-minute cache runs out) keeps the people already handed
out and adds new ones only while the allowance lasts, so the browse stays finite. Who was
handed out is kept in the database (``allot_discover``), so neither a restart nor a
cache flush hands out a fresh allowance, and concurrent pages never exceed it.

Each page is checked afresh: its members are read again (with their main photos and
their histories with the caller, in one statement), refiltered and rescored, so a
candidate who paused, changed their profile or photo, withdrew consent, swiped or was
blocked since the list was built is shown as they are now, or not at all. The rescoring
of a pair whose profiles (and the rarity table) are unchanged is the one this process
kept (``KeptScores``); a page whose every input is unchanged is the one it rendered
(``KeptPages``, ADR 0043). Where every process renews members' markers in one shared
cache, a page whose members' and caller's markers, ranked entries, blocks and rarity
table are unchanged is answered without reading the database at all (ADR 0048): every
commit that changes what a card shows or is checked by renews the member's marker
before it answers.

Entitlements are read from the caller's *current* tier on every page (docs/entitlements.md):
the list served, cached or rebuilt, is cut to that tier's allowance, so a downgrade
shrinks it at once; the advanced filters (``DiscoverFilters``) narrow the day's list and
come with Premium and Elite (Free: 403 ``upgrade_required``). Filters never add anyone:
they choose among the people the allowance already handed out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from math import isfinite
from typing import NamedTuple

from saltbitter.application.matching.caching import (
    FREQUENCIES_KEY,
    DiscoverRanking,
    MemberMarkers,
    cached_frequencies,
    discover_key,
    tolerant_set,
)
from saltbitter.application.matching.cards import card_of, from_result, signed
from saltbitter.application.matching.cursors import decode_score_cursor, encode_cursor
from saltbitter.application.matching.kept import (
    KeptPages,
    KeptScores,
    blocked_with,
    kept_blocks,
)
from saltbitter.application.matching.members import local_date, local_day_end
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.views import DiscoverItem, DiscoverPage
from saltbitter.application.ports.batch_scoring import BatchScorer, exclusions_from_histories
from saltbitter.application.ports.cache import NOTHING_READ, Cache, CacheReads
from saltbitter.application.ports.matching import (
    BlockedMembers,
    CandidateReader,
    DiscoverAllowance,
    MemberRecord,
    PhotoRef,
)
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.security import PrincipalCache
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import (
    NO_HISTORY,
    CompatibilityResult,
    DocumentFrequencies,
    PairHistory,
    ScoringPopulation,
    check_eligibility,
)
from saltbitter.domain.errors import FieldError, PermissionDenied, Unavailable, ValidationFailed
from saltbitter.domain.profiles import RelationshipGoal
from saltbitter.domain.shared import UserId
from saltbitter.domain.subscriptions import Entitlements, entitlements_for

__all__ = ["Discover", "DiscoverFilters", "KeptDiscovery"]

Entry = tuple[UserId, float]


def _order(entry: Entry) -> tuple[float, UserId]:
    return (-entry[1], entry[0])


def _page(
    ranking: DiscoverRanking, after: tuple[float, UserId] | None, size: int
) -> tuple[list[Entry], bool]:
    entries = list(ranking.ranking)
    if after is not None:
        mark = (-after[0], after[1])
        entries = [entry for entry in entries if _order(entry) > mark]
    return entries[:size], len(entries) > size


def discover_reads(member: UserId) -> tuple[str, str]:
    """The cache entries a discovery request reads first: the member's list, the rarity
    table."""
    return (discover_key(member), FREQUENCIES_KEY)


@dataclass(frozen=True, slots=True)
class DiscoverFilters:
    """The advanced filters (the ``advanced_filters`` entitlement: Premium and Elite).

    ``min_compatibility``: only candidates whose compatibility total is at least this
    (0 to 1); ``relationship_goal``: only candidates who state this goal.
    """

    min_compatibility: float | None = None
    relationship_goal: str | None = None

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        low = self.min_compatibility
        if low is not None and not (isfinite(low) and 0.0 <= low <= 1.0):
            errors.append(FieldError("min_compatibility", "Give a number from 0 to 1.", "invalid"))
        goals = {goal.value for goal in RelationshipGoal}
        if self.relationship_goal is not None and self.relationship_goal not in goals:
            errors.append(FieldError("relationship_goal", "Unknown relationship goal.", "invalid"))
        if errors:
            raise ValidationFailed(errors, "The discovery filters are invalid.")

    @property
    def active(self) -> bool:
        return self.min_compatibility is not None or self.relationship_goal is not None


NO_FILTERS = DiscoverFilters()


class _Marked(NamedTuple):
    """Where a page is kept under its members' markers (ADR 0048), and for what."""

    key: tuple[str, UserId, tuple[float, UserId] | None, int]
    inputs: tuple[object, ...]


def _entitled(entitlements: Entitlements, filters: DiscoverFilters) -> None:
    if filters.active and not entitlements.advanced_filters:
        raise PermissionDenied(
            "Advanced discovery filters come with Premium and Elite.", code="upgrade_required"
        )


def _within_allowance(ranking: DiscoverRanking, allowance: int) -> DiscoverRanking:
    """The list cut to the tier's allowance (best first): a downgrade shrinks it at once."""
    if len(ranking.ranking) <= allowance:
        return ranking
    return DiscoverRanking(ranking.local_date, ranking.ranking[:allowance])


@dataclass(frozen=True, slots=True)
class KeptDiscovery:
    """Pages of cached lists kept under their members' markers (ADR 0048), and what a
    request needs to be answered from one: process-wide objects only.

    The HTTP edge asks it first (``served``) and builds ``Discover`` (twelve
    collaborators, the request's connection among them) only when it has no answer;
    ``Discover`` keys and looks up its pages with the same ``marked``, so both serve a
    kept page under the same rule.
    """

    cache: Cache
    markers: MemberMarkers
    principals: PrincipalCache
    pages: KeptPages
    kept: KeptScores
    policy: MatchingPolicy
    clock: Clock

    async def served(
        self,
        principal: Principal,
        cursor: str | None,
        filters: DiscoverFilters,
        read_before: CacheReads,
    ) -> DiscoverPage | None:
        """The kept page, when the list and the rarity table came with the request
        (``read_before``), the blocks and the table are kept already and the page's
        markers say nothing changed; None otherwise (then ask ``Discover``)."""
        keys = discover_reads(principal.user_id)
        if filters.active or not all(key in read_before for key in keys):
            return None
        raw_ranking, raw_frequencies = (read_before[key] for key in keys)
        if raw_ranking is None or raw_frequencies is None:
            return None
        frequencies = self.kept.kept_frequencies(raw_frequencies)
        blocks = kept_blocks(self.principals, principal)
        if frequencies is None or blocks is None:
            return None
        try:
            after = None if cursor is None else _after(cursor)
        except ValidationFailed:
            return None  # Discover says what is wrong with it
        ranking = self.ranking(principal.user_id, raw_ranking)
        if ranking is None:
            return None
        allowance = entitlements_for(principal.tier).discover_profiles_per_day
        page, more = _page(_within_allowance(ranking, allowance), after, self.policy.page_size)
        if not page:
            return None
        blocked = blocks.intersection(candidate for candidate, _ in page)
        marked = await self.marked(principal.user_id, after, page, more, blocked, frequencies)
        return None if marked is None else self.pages.get(*marked, self.clock.now())

    def ranking(self, member: UserId, raw: bytes) -> DiscoverRanking | None:
        """The member's cached list from its bytes, decoded once per bytes."""
        return self.pages.ranking(member, raw, self._decoded)

    def _decoded(self, raw: bytes) -> DiscoverRanking | None:
        return self.cache.decoded(raw, DiscoverRanking)

    async def marked(
        self,
        me: UserId,
        after: tuple[float, UserId] | None,
        page: list[Entry],
        more: bool,
        blocked: frozenset[UserId],
        frequencies: DocumentFrequencies,
    ) -> _Marked | None:
        """The key and inputs a page of the cached list is kept under by its markers:
        the caller's and its members' markers (read before the database is, so a page
        kept under them is never older than they are), its entries, the blocks and the
        rarity table; None when markers cannot be read here."""
        markers = await self.markers.read([me, *(candidate for candidate, _ in page)])
        if markers is None:
            return None
        inputs = (markers, tuple(page), more, blocked, frequencies, self.policy.compatibility)
        return _Marked(("marked", me, after, self.policy.page_size), inputs)


def _after(cursor: str) -> tuple[float, UserId]:
    total, last = decode_score_cursor(cursor)
    return (total, UserId(last))


@dataclass(frozen=True, slots=True)
class Discover:
    """One page (20) of the caller's discovery list; ``next_cursor`` for the next one.

    403 ``profile_required`` without a profile, ``profile_paused`` while paused,
    ``upgrade_required`` for advanced filters without the entitlement.
    """

    transaction: Transaction
    candidates: CandidateReader
    blocked: BlockedMembers
    allowance: DiscoverAllowance
    clock: Clock
    cache: Cache
    scorer: BatchScorer
    policy: MatchingPolicy
    store: PhotoStore
    kept: KeptScores
    principals: PrincipalCache
    pages: KeptPages
    by_markers: KeptDiscovery

    async def __call__(
        self,
        principal: Principal,
        cursor: str | None = None,
        filters: DiscoverFilters = NO_FILTERS,
        read_before: CacheReads = NOTHING_READ,
    ) -> DiscoverPage:
        """``read_before``: cache entries the caller read already (the HTTP edge reads
        ``discover_reads``' in its one Redis round trip; ADR 0044)."""
        entitlements = entitlements_for(principal.tier)  # the tier read for this request
        _entitled(entitlements, filters)
        allowance = entitlements.discover_profiles_per_day
        after = None if cursor is None else _after(cursor)
        me = principal.user_id
        now = self.clock.now()
        size = self.policy.page_size
        ranking, raw_frequencies = await self._cached_list(me, allowance, read_before)
        # Without filters, a cached list's page is read together with the caller.
        cached = ranking is not None and not filters.active
        page, more = _page(ranking, after, size) if ranking and cached else ([], False)
        marked = None
        if cached and page:
            marked = await self._marked(principal, page, more, after, raw_frequencies)
            kept = None if marked is None else self.pages.get(marked.key, marked.inputs, now)
            if kept is not None:
                return kept  # nobody on it changed since: no database read (ADR 0048)
        wanted = [me, *(candidate for candidate, _ in page)]
        # One read: the caller, the page's members, their main photos and histories.
        read = await self.candidates.page(now, me, wanted)
        found = {m.user_id: m for m in read.members}
        photos, histories = dict(read.photos), dict(read.histories)
        viewer = found.get(me)
        if viewer is None:
            raise PermissionDenied(
                "Create your profile first: discovery is chosen from it.",
                code="profile_required",
            )
        if viewer.profile.paused:
            raise PermissionDenied(
                "Your profile is paused: make it visible to discover people.",
                code="profile_paused",
            )
        today = local_date(viewer.timezone, now)
        if ranking is None or ranking.local_date != today or filters.active:
            marked = None  # the page comes from another list than the one marked
            if ranking is None or ranking.local_date != today:
                ranking = _within_allowance(
                    await self._rank(viewer, today, now, allowance), allowance
                )
            if filters.active:
                ranking = await self._filtered(ranking, filters, now)
            page, more = _page(ranking, after, size)
            missing = [candidate for candidate, _ in page if candidate not in found]
            if missing:
                extra = await self.candidates.page(now, me, missing)
                found.update({m.user_id: m for m in extra.members})
                photos.update(extra.photos)
                histories.update(extra.histories)
        return await self._rendered(
            principal,
            viewer,
            (page, more, after, filters),
            found,
            photos,
            histories,
            now,
            raw_frequencies,
            marked,
        )

    async def _cached_list(
        self, me: UserId, allowance: int, read_before: CacheReads
    ) -> tuple[DiscoverRanking | None, bytes | None]:
        """The cached list (cut to the allowance) and the rarity table's bytes, in one
        round trip unless the edge read them already (a cache that is down: neither)."""
        keys = discover_reads(me)
        try:
            if all(key in read_before for key in keys):
                raw_ranking, raw_frequencies = (read_before[key] for key in keys)
            else:
                raw_ranking, raw_frequencies = await self.cache.get_many(keys)
        except Unavailable:
            return None, None
        ranking = None if raw_ranking is None else self.by_markers.ranking(me, raw_ranking)
        return (None if ranking is None else _within_allowance(ranking, allowance)), raw_frequencies

    async def _marked(
        self,
        principal: Principal,
        page: list[Entry],
        more: bool,
        after: tuple[float, UserId] | None,
        raw_frequencies: bytes | None,
    ) -> _Marked | None:
        """``KeptDiscovery.marked``, with the blocks and the rarity table read (and kept)
        where they are not kept yet."""
        ids = [candidate for candidate, _ in page]
        blocked = await blocked_with(self.principals, self.blocked, principal, ids)
        frequencies = await self._frequencies(raw_frequencies)
        return await self.by_markers.marked(
            principal.user_id, after, page, more, blocked, frequencies
        )

    async def _frequencies(self, raw: bytes | None) -> DocumentFrequencies:
        kept_scores, count = self.kept, self.candidates.interest_frequencies
        ttl = self.policy.frequencies_ttl_seconds
        if raw is None:  # missing when read with the list: a rebuild may have stored it
            return await kept_scores.frequencies(self.cache, count, ttl)
        return await kept_scores.frequencies_from(raw, self.cache, count, ttl)

    async def _rendered(
        self,
        principal: Principal,
        viewer: MemberRecord,
        paging: tuple[list[Entry], bool, tuple[float, UserId] | None, DiscoverFilters],
        found: Mapping[UserId, MemberRecord],
        photos: Mapping[UserId, PhotoRef],
        histories: Mapping[UserId, PairHistory],
        now: datetime,
        raw_frequencies: bytes | None,
        marked: _Marked | None = None,
    ) -> DiscoverPage:
        """The page as it is now; the one rendered before when every input is equal.
        ``marked``: also kept under its markers, until the caller's local day ends."""
        page, more, after, filters = paging
        me, size = viewer.user_id, self.policy.page_size
        members = [found[c] for c, _ in page if c in found]
        next_cursor = encode_cursor(page[-1][1], page[-1][0]) if more and page else None
        if not members:
            return DiscoverPage(items=[], next_cursor=next_cursor)
        ids = [member.user_id for member in members]
        blocked = await blocked_with(self.principals, self.blocked, principal, ids)
        frequencies = await self._frequencies(raw_frequencies)
        # The page is a pure function of these (and the clock, for its photo links).
        key = (me, after, size, filters)
        inputs = (
            viewer,
            tuple(page),
            more,
            tuple(
                (m, photos.get(m.user_id), histories.get(m.user_id, NO_HISTORY)) for m in members
            ),
            blocked,
            frequencies,
            self.policy.compatibility,
        )
        rendered = self.pages.get(key, inputs, now)
        if rendered is None:
            items = await self._items(viewer, members, photos, histories, blocked, frequencies)
            rendered = DiscoverPage(items=items, next_cursor=next_cursor)
            self.pages.keep(key, inputs, now, rendered)
        if marked is not None:
            # The day's list ends with the caller's local day, and so does the page.
            until = local_day_end(viewer.timezone, now)
            self.pages.keep(marked.key, marked.inputs, now, rendered, until=until)
        return rendered

    async def _items(
        self,
        viewer: MemberRecord,
        members: Sequence[MemberRecord],
        photos: Mapping[UserId, PhotoRef],
        histories: Mapping[UserId, PairHistory],
        blocked: frozenset[UserId],
        frequencies: DocumentFrequencies,
    ) -> list[DiscoverItem]:
        return [
            DiscoverItem(
                member=await signed(
                    self.store, card_of(viewer, member, photos.get(member.user_id))
                ),
                compatibility=from_result(result),
            )
            for member, result in self._recheck(viewer, members, histories, blocked, frequencies)
        ]

    async def _filtered(
        self, ranking: DiscoverRanking, filters: DiscoverFilters, now: datetime
    ) -> DiscoverRanking:
        entries = ranking.ranking
        low = filters.min_compatibility
        if low is not None:
            entries = tuple(entry for entry in entries if entry[1] >= low)
        goal = filters.relationship_goal
        if goal is not None and entries:
            members = await self.candidates.members(now, [candidate for candidate, _ in entries])
            keep = {m.user_id for m in members if m.relationship_goal == goal}
            entries = tuple(entry for entry in entries if entry[0] in keep)
        return DiscoverRanking(ranking.local_date, entries)

    async def _rank(
        self, viewer: MemberRecord, today: date, now: datetime, allowance: int
    ) -> DiscoverRanking:
        me = viewer.user_id
        policy = self.policy
        nearby = await self.candidates.nearby_members(viewer.profile, now, policy.compatibility)
        # Blocked members are never ranked, so they take no place in the allowance.
        blocked = await self.blocked.blocked_between(me, [m.user_id for m in nearby])
        candidates = [member for member in nearby if member.user_id not in blocked]
        histories = await self.candidates.pair_histories([me])
        frequencies = await cached_frequencies(
            self.cache, self.candidates, policy.frequencies_ttl_seconds
        )
        population = ScoringPopulation.build(
            [viewer.profile, *(candidate.profile for candidate in candidates)],
            frequencies,
            policy.compatibility,
        )
        excluded = exclusions_from_histories(population, histories).get(0, frozenset())
        scores = self.scorer.score_one_to_many(population, 0, excluded=excluded)
        eligible = sorted(
            (
                (population.user_id_at(row), total)
                for row, total, ok in zip(
                    scores.candidates, scores.total, scores.eligible, strict=True
                )
                if ok
            ),
            key=_order,
        )
        # The database counts the allowance (atomically, across restarts); committed at
        # once so a concurrent page of the same member waits as briefly as possible.
        async with self.transaction:
            allotted = await self.allowance.allot_discover(
                me, today, [candidate for candidate, _ in eligible], allowance
            )
            await self.transaction.commit()
        ranking = DiscoverRanking(today, tuple(entry for entry in eligible if entry[0] in allotted))
        await tolerant_set(self.cache, discover_key(me), ranking, policy.discover_ttl_seconds)
        return ranking

    def _recheck(
        self,
        viewer: MemberRecord,
        page: Sequence[MemberRecord],
        histories: Mapping[UserId, PairHistory],
        blocked: frozenset[UserId],
        frequencies: DocumentFrequencies,
    ) -> list[tuple[MemberRecord, CompatibilityResult]]:
        """The page's members as they are now: still eligible, scored and explained."""
        policy = self.policy.compatibility
        kept = self.kept
        shown: list[tuple[MemberRecord, CompatibilityResult]] = []
        for member in page:
            history = histories.get(member.user_id, NO_HISTORY)
            if member.user_id in blocked or not check_eligibility(
                viewer.profile, member.profile, history, policy
            ):
                continue
            shown.append(
                (member, kept.compatibility(viewer.profile, member.profile, frequencies, policy))
            )
        return shown
