"""Wiring of the matching capability (issue 4): its ports on the request's connection,
scorer, policy, use cases, jobs, Beat."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.batching import Batched
from saltbitter.adapters.sqlalchemy.blocked_members import SqlaBlockedMembers
from saltbitter.adapters.sqlalchemy.matching import (
    SqlaCandidateReader,
    SqlaDailySetStore,
    SqlaDiscoverAllowance,
    SqlaMatchStore,
    SqlaReceivedLikes,
    SqlaSwipeWriter,
)
from saltbitter.application.accounts.events import AccountVisibilityChanged
from saltbitter.application.assessments.events import ConsentChanged
from saltbitter.application.matching import topics
from saltbitter.application.matching.caching import MemberMarkers
from saltbitter.application.matching.daily import GenerateDailySets, GetDailySet, KeptDailySets
from saltbitter.application.matching.discover import Discover, KeptDiscovery
from saltbitter.application.matching.events import (
    DailySetReady,
    GenerateDailySetShardParameters,
    GenerateDailySetsParameters,
    MatchCreated,
    Unmatched,
)
from saltbitter.application.matching.forget import ForgetMemberCaches
from saltbitter.application.matching.kept import KeptPages, KeptScores
from saltbitter.application.matching.matches import ListLikesReceived, ListMatches, Unmatch
from saltbitter.application.matching.personal_data import PERSONAL_DATA as MATCHING_PERSONAL_DATA
from saltbitter.application.matching.policy import MatchingPolicy, tier_quotas
from saltbitter.application.matching.shards import DailyShard
from saltbitter.application.matching.sweep import PlanDailySweep
from saltbitter.application.matching.swipes import DecideSwipes, LikeMember, PassMember
from saltbitter.application.matching.views import SwipeResult
from saltbitter.application.ports.batch_scoring import BatchScorer, ScalarBatchScorer
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.events import JobQueue
from saltbitter.application.ports.matching import (
    BlockedMembers,
    CandidateReader,
    DailySetStore,
    DiscoverAllowance,
    MatchStore,
    PairDecision,
    ReceivedLikes,
    SwipeWriter,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.domain.errors import SaltbitterError
from saltbitter.domain.matching import AllocationPolicy
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.settings import Settings

__all__ = [
    "CAPABILITY",
    "MatchingProvider",
    "SwipeBatches",
    "batch_scorer_for",
    "matching_policy_for",
    "scorer_workers",
]


def batch_scorer_for(settings: Settings) -> BatchScorer:
    """NumPy's vectorised scorer when it is installed (or asked for), else the scalar one."""
    if settings.matching_scorer == "scalar":
        return ScalarBatchScorer()
    try:
        from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
    except ImportError:
        if settings.matching_scorer == "numpy":
            raise SystemExit("SALTBITTER_MATCHING_SCORER=numpy needs saltbitter[fast].") from None
        return ScalarBatchScorer()
    return NumpyBatchScorer(workers=scorer_workers(settings))


def scorer_workers(settings: Settings) -> int:
    """Processes a daily run ranks its viewers in: as set, else (0) every CPU this
    process may use where it runs jobs only (the worker, the CLI: the collector pause
    says so), one in the API. The scorer forks only while its process has one thread,
    and only for a thousand viewers or more (the sweep, not an on-demand set)."""
    if settings.matching_scorer_workers:
        return settings.matching_scorer_workers
    if not settings.matching_pause_collector:
        return 1
    if hasattr(os, "sched_getaffinity"):
        return min(64, max(1, len(os.sched_getaffinity(0))))
    return min(64, os.cpu_count() or 1)


def matching_policy_for(settings: Settings) -> MatchingPolicy:
    return MatchingPolicy(
        allocation=AllocationPolicy(
            quotas=tier_quotas(), exposure_cap=settings.matching_exposure_cap
        ),
        chunk_size=settings.matching_chunk_size,
        shard_members=settings.matching_shard_members,
        pause_collector=settings.matching_pause_collector,
    )


class SwipeBatches(Batched[PairDecision, SwipeResult]):
    """The likes and passes of this process's requests, decided in batches (ADR 0051):
    each batch is one ``DecideSwipes`` in a request scope of its own."""

    __slots__ = ()

    def __init__(self, container: AsyncContainer) -> None:
        async def decide(calls: Sequence[PairDecision]) -> list[SwipeResult | SaltbitterError]:
            async with container() as scope:
                return await (await scope.get(DecideSwipes))(calls)

        # A failed batch is rerun call by call, so one bad call cannot fail the others.
        super().__init__(decide, max_batch=64, rerun_alone=True)


class MatchingProvider(Provider):
    """APP scope: the batch scorer, the policy and what is kept per process; REQUEST
    scope: the ports (on the request's ``StagedConnection``) and the use cases."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def scorer(self) -> BatchScorer:
        return batch_scorer_for(self._settings)

    @provide(scope=Scope.APP)
    def policy(self) -> MatchingPolicy:
        return matching_policy_for(self._settings)

    @provide(scope=Scope.APP)
    def kept_scores(self) -> KeptScores:
        return KeptScores()

    @provide(scope=Scope.APP)
    def kept_pages(self) -> KeptPages:
        return KeptPages()

    @provide(scope=Scope.APP)
    def member_markers(self, cache: Cache) -> MemberMarkers:
        # Shared only in Redis, which every process that changes members writes to.
        return MemberMarkers(cache, shared=bool(self._settings.redis_url))

    # Per request only because tests vary the policy per request; its parts are APP-wide.
    kept_discovery = provide(KeptDiscovery, scope=Scope.REQUEST)

    # Process-wide: a kept daily view is served without building GetDailySet (ADR 0049).
    kept_daily_sets = provide(KeptDailySets, scope=Scope.APP)

    candidates = provide(SqlaCandidateReader, provides=CandidateReader, scope=Scope.REQUEST)
    blocked = provide(SqlaBlockedMembers, provides=BlockedMembers, scope=Scope.REQUEST)
    swipes = provide(SqlaSwipeWriter, provides=SwipeWriter, scope=Scope.REQUEST)
    matches = provide(SqlaMatchStore, provides=MatchStore, scope=Scope.REQUEST)
    likes = provide(SqlaReceivedLikes, provides=ReceivedLikes, scope=Scope.REQUEST)
    daily_sets = provide(SqlaDailySetStore, provides=DailySetStore, scope=Scope.REQUEST)
    allowance = provide(SqlaDiscoverAllowance, provides=DiscoverAllowance, scope=Scope.REQUEST)

    swipe_batches = provide(SwipeBatches, scope=Scope.APP)

    use_cases = provide_all(
        DecideSwipes,
        LikeMember,
        PassMember,
        ListMatches,
        Unmatch,
        ListLikesReceived,
        GetDailySet,
        GenerateDailySets,
        PlanDailySweep,
        Discover,
        ForgetMemberCaches,
        scope=Scope.REQUEST,
    )


async def _forget_member_caches(
    scope: AsyncContainer, event: ProfileChanged | ConsentChanged | AccountVisibilityChanged
) -> object:
    forget = await scope.get(ForgetMemberCaches)
    return await forget(event.user_id)


async def _generate_daily_sets(
    scope: AsyncContainer, parameters: GenerateDailySetsParameters
) -> object:
    """The sweep's coordinator (ADR 0034): plans the shards, hands them to the queue as
    one group (a worker each; embedded, one after the other here) and returns."""
    plan = await (await scope.get(PlanDailySweep))(
        parameters.date, all_timezones=parameters.all_timezones
    )
    shards = [
        GenerateDailySetShardParameters(
            date=parameters.date,
            all_timezones=parameters.all_timezones,
            index=shard.index,
            count=shard.count,
            as_of=plan.as_of,
        )
        for shard in plan.shards
    ]
    if shards:
        await (await scope.get(JobQueue)).fan_out(topics.GENERATE_DAILY_SET_SHARD, shards)
    return {"due": plan.due, "shards": len(shards)}


async def _generate_daily_set_shard(
    scope: AsyncContainer, parameters: GenerateDailySetShardParameters
) -> object:
    generate = await scope.get(GenerateDailySets)
    as_of = parameters.as_of or (await scope.get(Clock)).now()
    shard = DailyShard(parameters.index, parameters.count, as_of)
    summary = await generate(parameters.date, all_timezones=parameters.all_timezones, shard=shard)
    return {"shard": shard.index, "due": summary.due, "created": summary.created}


def _hourly() -> Any:
    """Minute 1 of every hour: a member's 06:00 has passed by the first sweep after it."""
    try:
        from celery.schedules import crontab
    except ImportError:  # an API-only install never runs Beat
        return 3600.0
    return crontab(minute="1")


CAPABILITY = Capability(
    name="matching",
    personal_data=MATCHING_PERSONAL_DATA,
    providers=lambda settings: [MatchingProvider(settings)],
    events=(MatchCreated, Unmatched, DailySetReady),
    handlers={
        ProfileChanged: (topics.FORGET_MEMBER_CACHES,),
        ConsentChanged: (topics.FORGET_MEMBER_CACHES,),
    },
    jobs={
        topics.FORGET_MEMBER_CACHES: Job(_forget_member_caches),
        topics.GENERATE_DAILY_SETS: Job(_generate_daily_sets, GenerateDailySetsParameters),
        topics.GENERATE_DAILY_SET_SHARD: Job(
            _generate_daily_set_shard, GenerateDailySetShardParameters
        ),
    },
    beat_schedule={
        "matching-daily-sets-hourly": {
            "task": topics.GENERATE_DAILY_SETS,
            "schedule": _hourly(),
        }
    },
)
