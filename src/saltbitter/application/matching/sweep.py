"""The hourly sweep's plan: who is due, in how many shards, as of when (ADR 0034).

The coordinator reads only ids and timezones (no member records, no scoring) and the
sets already made, so planning is cheap next to the shards' work; every shard then
reads the pool itself and makes the sets of its own members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from saltbitter.application.matching.members import daily_set_due
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.shards import DailyShard, shard_count
from saltbitter.application.ports.matching import CandidateReader, DailySetStore
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.errors import ValidationFailed

__all__ = ["DailySweepPlan", "PlanDailySweep"]


@dataclass(frozen=True, slots=True)
class DailySweepPlan:
    """``due`` of the ``members`` available (at ``as_of``) split into ``shards``; none
    when nobody is due."""

    as_of: datetime
    members: int
    due: int
    shards: tuple[DailyShard, ...]


@dataclass(frozen=True, slots=True)
class PlanDailySweep:
    """How many shards the sweep gets: one per ``policy.shard_members`` due members, at
    most the exposure cap (each shard's quota is at least one place), or ``shards`` when
    the operator forces a count."""

    transaction: Transaction
    candidates: CandidateReader
    daily_sets: DailySetStore
    clock: Clock
    policy: MatchingPolicy

    async def __call__(
        self,
        on: date | None = None,
        *,
        all_timezones: bool = False,
        shards: int | None = None,
    ) -> DailySweepPlan:
        as_of = self.clock.now()
        cap = self.policy.allocation.exposure_cap
        if shards is not None and not 1 <= shards <= (cap or shards):
            raise ValidationFailed.single("shards", "must be between 1 and the exposure cap")
        async with self.transaction:
            members = await self.candidates.available_timezones(as_of)
            targets = {user: daily_set_due(zone, as_of, on) for user, zone in members}
            done = await self.daily_sets.runs_on({target for target, _ in targets.values()})
        due = sum(
            1
            for user, (target, reached) in targets.items()
            if (all_timezones or reached) and (user, target) not in done
        )
        count = shards or shard_count(due, self.policy.shard_members, cap)
        planned = tuple(DailyShard(index, count, as_of) for index in range(count)) if due else ()
        return DailySweepPlan(as_of=as_of, members=len(members), due=due, shards=planned)
