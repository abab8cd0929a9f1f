"""The matching capability as the composition root, the job table and Beat see it."""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab

from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
from saltbitter.application.assessments.events import ConsentChanged
from saltbitter.application.matching import topics
from saltbitter.application.matching.daily import GenerateDailySets, GetDailySet
from saltbitter.application.matching.discover import Discover
from saltbitter.application.matching.forget import ForgetMemberCaches
from saltbitter.application.matching.matches import ListLikesReceived, ListMatches, Unmatch
from saltbitter.application.matching.swipes import LikeMember, PassMember
from saltbitter.application.ports.batch_scoring import ScalarBatchScorer
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.entrypoints.capabilities.matching import (
    CAPABILITY,
    batch_scorer_for,
    matching_policy_for,
)
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.jobs import EVENT_HANDLERS, JOBS
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for


def test_beat_sweeps_every_hour_and_the_jobs_are_registered() -> None:
    [entry] = CAPABILITY.beat_schedule.values()
    assert entry["task"] == topics.GENERATE_DAILY_SETS
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].minute == {1}
    assert entry["schedule"].hour == set(range(24))
    assert {topics.GENERATE_DAILY_SETS, topics.FORGET_MEMBER_CACHES} <= set(JOBS)
    celery = celery_app_for(Settings(redis_url="redis://127.0.0.1:6379/0"))
    assert topics.GENERATE_DAILY_SETS in celery.tasks
    schedule = celery.conf.beat_schedule
    assert any(e["task"] == topics.GENERATE_DAILY_SETS for e in schedule.values())


def test_profile_and_consent_changes_drop_cached_views() -> None:
    for event_type in (ProfileChanged, ConsentChanged):
        assert topics.FORGET_MEMBER_CACHES in EVENT_HANDLERS.jobs_by_event[event_type]


def test_settings_choose_the_scorer_and_the_policy() -> None:
    assert isinstance(batch_scorer_for(Settings()), NumpyBatchScorer)  # NumPy is installed
    assert isinstance(batch_scorer_for(Settings(matching_scorer="scalar")), ScalarBatchScorer)
    policy = matching_policy_for(Settings(matching_exposure_cap=5, matching_chunk_size=7))
    assert policy.allocation.exposure_cap == 5
    assert policy.chunk_size == 7
    quotas = policy.allocation.quotas
    assert (quotas.free, quotas.premium, quotas.elite) == (10, 25, 50)
    assert policy.shard_members == 25_000
    assert matching_policy_for(Settings(matching_shard_members=9)).shard_members == 9
    environ = {
        "SALTBITTER_MATCHING_EXPOSURE_CAP": "12",
        "SALTBITTER_MATCHING_SCORER": "scalar",
        "SALTBITTER_MATCHING_SHARD_MEMBERS": "4000",
    }
    read = Settings.from_environ(environ)
    assert (read.matching_exposure_cap, read.matching_scorer) == (12, "scalar")
    assert read.matching_shard_members == 4000


async def test_the_container_builds_every_matching_use_case(tmp_path: Path) -> None:
    # On the SQL ports of the request's one connection (entrypoints/capabilities/matching.py).
    container = make_container(Settings(data_dir=tmp_path, jwt_secret="s" * 40))
    try:
        async with container() as scope:
            for use_case in (
                LikeMember,
                PassMember,
                ListMatches,
                Unmatch,
                ListLikesReceived,
                GetDailySet,
                GenerateDailySets,
                Discover,
                ForgetMemberCaches,
            ):
                assert isinstance(await scope.get(use_case), use_case)
    finally:
        await container.close()
