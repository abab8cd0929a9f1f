"""Who is a candidate, and how a member looks to the scorer: one rule for every adapter.

Both the SQL repository and the in-memory fake read their rows and hand the fields to
``member_record``, so "members without a profile are not candidates", "attachment only
with consent" and "age on the member's own local date" are written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from saltbitter.application.ports.matching import MemberRecord
from saltbitter.domain.accounts import AccountStatus, age_on
from saltbitter.domain.compatibility import (
    AttachmentScores,
    CandidateProfile,
    Gender,
    ValueRatings,
)
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "DAILY_SET_HOUR",
    "daily_set_due",
    "local_date",
    "local_now",
    "member_record",
    "previous_day",
]

DAILY_SET_HOUR = time(6, 0)
"""Daily sets are made at 06:00 in each member's own timezone (docs/product-rules.md 6)."""

_CANDIDATE_STATUSES = frozenset({AccountStatus.ACTIVE, AccountStatus.SUSPENDED})
# Stored strings to enum members by a dict lookup: calling the enum is a Python-level
# function, and the daily job builds every member's record (an unknown string still
# goes through the enum, which refuses it as before).
_STATUSES = {status.value: status for status in AccountStatus}
_GENDERS = {gender.value: gender for gender in Gender}
_TIERS = {tier.value: tier for tier in Tier}


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now(timezone: str, now: datetime) -> datetime:
    """``now`` on the wall clock of ``timezone`` (an IANA name checked at sign-up)."""
    return now.astimezone(_zone(timezone))


def local_date(timezone: str, now: datetime) -> date:
    return local_now(timezone, now).date()


def local_day_end(timezone: str, now: datetime) -> datetime:
    """The instant ``now``'s local date ends in ``timezone`` (its next local midnight)."""
    wall = local_now(timezone, now)
    midnight = datetime.combine(wall.date() + timedelta(days=1), time(), tzinfo=wall.tzinfo)
    return midnight.astimezone(now.tzinfo)


def daily_set_due(timezone: str, now: datetime, on: date | None = None) -> tuple[date, bool]:
    """The local date a daily set is for, and whether 06:00 of that date has come.

    ``on`` fixes the date (an operator's ``--date``); by default it is the member's
    local today.
    """
    wall = local_now(timezone, now)
    target = wall.date() if on is None else on
    start = datetime.combine(target, DAILY_SET_HOUR, tzinfo=wall.tzinfo)
    return target, wall >= start


def previous_day(day: date) -> date:
    return day - timedelta(days=1)


def member_record(
    *,
    user_id: UserId,
    status: str,
    tier: str,
    display_name: str,
    birthdate: date,
    timezone: str,
    gender: str,
    genders_sought: Iterable[str],
    age_min: int,
    age_max: int,
    bio: str,
    interests: Iterable[str],
    relationship_goal: str | None,
    values: Mapping[str, float] | None,
    latitude: float,
    longitude: float,
    max_distance_km: float,
    paused: bool,
    updated_at: datetime,
    attachment: tuple[float, float] | None,
    sensitive_data_consent: bool,
    now: datetime,
) -> MemberRecord | None:
    """The member as matching sees them, or None when they are not a candidate at all.

    Accounts still pending verification or closed are not members here; suspended ones
    are, flagged, so that the hard filters (not the caller) decide they are never shown.
    Attachment scores count only while the ``sensitive_data`` consent is granted.
    """
    account_status = _STATUSES.get(status) or AccountStatus(status)
    if account_status not in _CANDIDATE_STATUSES:
        return None
    listed = tuple(interests)
    profile = CandidateProfile(
        user_id=user_id,
        age=age_on(birthdate, local_date(timezone, now)),
        gender=_GENDERS.get(gender) or Gender(gender),
        genders_sought=frozenset(_GENDERS.get(g) or Gender(g) for g in genders_sought),
        age_min=age_min,
        age_max=age_max,
        latitude=latitude,
        longitude=longitude,
        max_distance_km=max_distance_km,
        interests=frozenset(listed),
        values=None
        if values is None
        # By name: from_mapping refuses any name that is not one of the ten values.
        else ValueRatings.from_mapping({k: float(v) for k, v in values.items()}),
        attachment=(
            AttachmentScores(anxiety=attachment[0], avoidance=attachment[1])
            if attachment is not None and sensitive_data_consent
            else None
        ),
        tier=_TIERS.get(tier) or Tier(tier),
        suspended=account_status is AccountStatus.SUSPENDED,
        paused=paused,
    )
    return MemberRecord(
        profile=profile,
        display_name=display_name,
        timezone=timezone,
        bio=bio,
        interests=listed,
        relationship_goal=relationship_goal,
        updated_at=updated_at,
    )
