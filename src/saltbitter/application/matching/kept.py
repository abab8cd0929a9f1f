"""Work a discovery page repeats on every request, kept per process (ADR 0036).

A cached discovery page is checked afresh on every request: its members are read
again, refiltered and rescored, so a member who changed, paused or was blocked is shown
as they are now, or not at all. Those reads stay; what is kept here is only what is a
pure function of what they return, each entry with the exact inputs it was computed from
and used only when the new inputs are equal, so nothing kept can outlive a change:

- a pair's compatibility (the reference rule, with its reasons), for the two profiles,
  the interest rarity table and the policy it was scored with;
- the interest rarity table decoded from the cache, for the very bytes it was read as;
- the members blocked with the viewer (either way), under the viewer's stamp: every block
  and unblock renews both members' stamps after its commit (``SqlaBlockStore``), as a
  principal's changes do (ADR 0032), so the set is kept exactly as long as it is true;
- a whole rendered page (``KeptPages``, ADR 0043), for the exact inputs it was made from
  (the viewer's and the members' records as read for this request, their main photos,
  their histories with the viewer, the blocks, the page's ranked entries, the rarity
  table and the policy), for at most a minute of its photo links' lifetime; and also
  under the markers of its viewer and members (ADR 0048), which every change of those
  records, photos and histories renews after its commit, so that an unchanged page needs
  no read of them at all.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from saltbitter.application.matching.caching import (
    FREQUENCIES_KEY,
    CachedFrequencies,
    DiscoverRanking,
    frequencies_of,
    store_frequencies,
)
from saltbitter.application.matching.views import DiscoverPage
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.matching import BlockedMembers
from saltbitter.application.ports.security import PrincipalCache
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.compatibility import (
    CandidateProfile,
    CompatibilityPolicy,
    CompatibilityResult,
    DocumentFrequencies,
    compatibility,
)
from saltbitter.domain.errors import Unavailable
from saltbitter.domain.shared import UserId

__all__ = ["KeptPages", "KeptScores", "blocked_with", "kept_blocks"]

_Inputs = tuple[CandidateProfile, CandidateProfile, DocumentFrequencies, CompatibilityPolicy]


class KeptScores:
    """Per process (APP scope); not thread-safe: one event loop uses it, as the API does.

    ``limit`` bounds the pairs kept (least recently used go first): about one discovery
    page per member for a few thousand members.
    """

    __slots__ = ("_frequencies", "_limit", "_pairs")

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._pairs: OrderedDict[tuple[UserId, UserId], tuple[_Inputs, CompatibilityResult]] = (
            OrderedDict()
        )
        self._frequencies: tuple[bytes, DocumentFrequencies] | None = None

    def compatibility(
        self,
        viewer: CandidateProfile,
        member: CandidateProfile,
        frequencies: DocumentFrequencies,
        policy: CompatibilityPolicy,
    ) -> CompatibilityResult:
        """``compatibility(viewer, member, frequencies, policy)``, explained."""
        key = (viewer.user_id, member.user_id)
        kept = self._pairs.get(key)
        if kept is not None:
            (kept_viewer, kept_member, kept_frequencies, kept_policy), result = kept
            if (
                kept_member == member
                and kept_viewer == viewer
                and (kept_frequencies is frequencies or kept_frequencies == frequencies)
                and (kept_policy is policy or kept_policy == policy)
            ):
                self._pairs.move_to_end(key)
                return result
        result = compatibility(viewer, member, frequencies, policy)
        self._pairs[key] = ((viewer, member, frequencies, policy), result)
        self._pairs.move_to_end(key)
        while len(self._pairs) > self._limit:
            self._pairs.popitem(last=False)
        return result

    def kept_frequencies(self, raw: bytes) -> DocumentFrequencies | None:
        """The rarity table decoded before from these very bytes, or None."""
        kept = self._frequencies
        return kept[1] if kept is not None and kept[0] == raw else None

    async def frequencies(
        self, cache: Cache, count: Callable[[], Awaitable[DocumentFrequencies]], ttl_seconds: int
    ) -> DocumentFrequencies:
        """``cached_frequencies``: the same table, decoded once per cached entry; ``count``
        (``CandidateReader.interest_frequencies``) counts it afresh when it is missing."""
        try:
            raw = await cache.get(FREQUENCIES_KEY)
        except Unavailable:
            raw = None
        return await self.frequencies_from(raw, cache, count, ttl_seconds)

    async def frequencies_from(
        self,
        raw: bytes | None,
        cache: Cache,
        count: Callable[[], Awaitable[DocumentFrequencies]],
        ttl_seconds: int,
    ) -> DocumentFrequencies:
        """``frequencies`` for the entry's bytes ``raw`` as the caller read them (None:
        missing or unreadable), so it can share a round trip with other keys."""
        kept = self._frequencies
        if raw is not None and kept is not None and kept[0] == raw:
            return kept[1]
        cached = None if raw is None else cache.decoded(raw, CachedFrequencies)
        if raw is not None and cached is not None:
            frequencies = frequencies_of(cached)
            self._frequencies = (raw, frequencies)
            return frequencies
        frequencies = await count()
        await store_frequencies(cache, frequencies, ttl_seconds)
        return frequencies

    def __len__(self) -> int:
        return len(self._pairs)


class KeptPages:
    """Rendered pages kept per process (APP scope), each under the exact inputs it is a
    pure function of; one event loop uses it.

    A page is answered again only for equal inputs (records compare field by field; the
    reader hands back the very record it kept for an equal row, so an unchanged page
    compares by identity) and while it is younger than ``max_age``: its photo links were
    signed when it was made and live 15 minutes, so a kept page hands out links with at
    least 14 minutes left. ``limit`` bounds the pages (least recently used go first).
    """

    __slots__ = ("_limit", "_max_age", "_pages", "_rankings")

    def __init__(self, limit: int = 10_000, max_age: timedelta = timedelta(seconds=60)) -> None:
        self._limit = limit
        self._max_age = max_age
        # Each member's cached list as last decoded, for the very bytes it was read as.
        self._rankings: OrderedDict[UserId, tuple[bytes, DiscoverRanking | None]] = OrderedDict()
        self._pages: OrderedDict[Hashable, tuple[object, datetime, datetime, DiscoverPage]] = (
            OrderedDict()
        )

    def get(self, key: Hashable, inputs: object, now: datetime) -> DiscoverPage | None:
        kept = self._pages.get(key)
        if kept is None:
            return None
        kept_inputs, made, until, page = kept
        if not (made <= now < until) or kept_inputs != inputs:
            del self._pages[key]
            return None
        self._pages.move_to_end(key)
        return page

    def keep(
        self,
        key: Hashable,
        inputs: object,
        now: datetime,
        page: DiscoverPage,
        until: datetime | None = None,
    ) -> None:
        """Keep ``page`` for ``inputs`` from ``now`` for ``max_age``, or up to ``until``
        if that comes sooner."""
        ends = now + self._max_age
        self._pages[key] = (inputs, now, ends if until is None else min(ends, until), page)
        self._pages.move_to_end(key)
        while len(self._pages) > self._limit:
            self._pages.popitem(last=False)

    def ranking(
        self, member: UserId, raw: bytes, decode: Callable[[bytes], DiscoverRanking | None]
    ) -> DiscoverRanking | None:
        """``decode(raw)``, the member's cached list: the one decoded before when its bytes
        are the same (comparing them costs far less than decoding a list again)."""
        kept = self._rankings.get(member)
        if kept is not None and kept[0] == raw:
            self._rankings.move_to_end(member)
            return kept[1]
        ranking = decode(raw)
        self._rankings[member] = (raw, ranking)
        self._rankings.move_to_end(member)
        while len(self._rankings) > self._limit:
            self._rankings.popitem(last=False)
        return ranking

    def __len__(self) -> int:
        return len(self._pages)


@dataclass(frozen=True, slots=True)
class _KeptBlocks:
    members: frozenset[UserId]


def kept_blocks(principals: PrincipalCache, viewer: Principal) -> frozenset[UserId] | None:
    """The members blocked with ``viewer`` (either way) as kept under their stamp; None
    when nothing is kept (then ``blocked_with`` reads them)."""
    if viewer.stamp is None:
        return None
    kept = principals.kept_view(viewer.user_id, viewer.stamp, _KeptBlocks)
    return None if kept is None else kept.members


async def blocked_with(
    principals: PrincipalCache,
    blocked: BlockedMembers,
    viewer: Principal,
    target_ids: Collection[UserId],
) -> frozenset[UserId]:
    """``blocked.blocked_between(viewer, target_ids)``, from the viewer's blocks kept under
    their stamp when the request has one (read by the edge before any database read)."""
    me, stamp = viewer.user_id, viewer.stamp
    if stamp is None:
        return await blocked.blocked_between(me, target_ids)
    kept = principals.kept_view(me, stamp, _KeptBlocks)
    if kept is None:
        pairs = await blocked.blocked_pairs([me])
        kept = _KeptBlocks(frozenset(m for pair in pairs for m in pair if m != me))
        principals.keep_view(me, stamp, kept)
    return kept.members.intersection(target_ids)
