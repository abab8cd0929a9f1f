"""Cached matching views that a member's change makes stale are dropped (a job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from saltbitter.application.matching.caching import forget_daily_sets, forget_members
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.matching import DailySetStore
from saltbitter.application.ports.system import Clock
from saltbitter.domain.shared import UserId

__all__ = ["ForgetMemberCaches"]

# Sets cached for 24 hours were made for at most the last two local dates.
_HOLDER_WINDOW = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class ForgetMemberCaches:
    """After a member's profile or consent changed: drop their own discovery list and
    daily set, and the cached daily sets in which others see them.

    Others' discovery lists need no entry here: every discovery page reads its members
    afresh. Idempotent (deleting what is gone is fine); returns how many members' caches
    were dropped.
    """

    daily_sets: DailySetStore
    clock: Clock
    cache: Cache

    async def __call__(self, user_id: UserId) -> int:
        since = (self.clock.now() - _HOLDER_WINDOW).date()
        holders = await self.daily_sets.daily_set_holders(user_id, since)
        others = {holder for holder, _ in holders} - {user_id}
        await forget_members(self.cache, [user_id])
        await forget_daily_sets(self.cache, others)
        return 1 + len(others)
