"""Events and job parameters of the matching capability (tags are stored: never rename
them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Event, JobParameters
from saltbitter.domain.shared import UserId

__all__ = [
    "DailySetReady",
    "GenerateDailySetShardParameters",
    "GenerateDailySetsParameters",
    "MatchCreated",
    "Unmatched",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchCreated(Event):
    """A mutual like made a match (exactly once per pair)."""

    name = "matching.match_created"
    match_id: UUID
    user_a: UserId
    user_b: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class Unmatched(Event):
    """One member (``by``) ended the match."""

    name = "matching.unmatched"
    match_id: UUID
    user_a: UserId
    user_b: UserId
    by: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class DailySetReady(Event):
    """The daily job stored a new, non-empty set (not sent for a set built on demand:
    its member is looking at it)."""

    name = "matching.daily_set_ready"
    user_id: UserId
    local_date: dt.date
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GenerateDailySetsParameters(JobParameters):
    """Beat's hourly sweep passes none; by hand, a date and every time zone at once."""

    date: dt.date | None = None
    all_timezones: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class GenerateDailySetShardParameters(JobParameters):
    """One shard of a sweep (ADR 0034), as its coordinator planned it: the sweep's
    parameters, the shard's ``index`` of ``count`` and the sweep's start ``as_of``
    (None: the shard's own start, for a shard run by hand)."""

    date: dt.date | None = None
    all_timezones: bool = False
    index: int = 0
    count: int = 1
    as_of: dt.datetime | None = None
