"""Quiet hours: containment, and the release time's laws in every timezone, DST included."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed
from saltbitter.domain.notifications import (
    DEFAULT_QUIET_HOURS,
    NotificationKind,
    QuietHours,
    notification_id,
)
from support.hypothesis_budget import budget

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # half-hour daylight saving
# Modern rules only: before 1970 some zones used offsets of odd seconds (local mean time).
ZONES = sorted(name for name in available_timezones() if "/" in name)

zones = st.sampled_from(ZONES).map(ZoneInfo)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)
wall_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
quiet_periods = st.builds(QuietHours, wall_times, wall_times)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_the_default_is_ten_at_night_to_eight_in_the_morning() -> None:
    assert QuietHours(time(22), time(8)) == DEFAULT_QUIET_HOURS
    assert DEFAULT_QUIET_HOURS.length == timedelta(hours=10)
    assert DEFAULT_QUIET_HOURS.contains(time(22, 0))
    assert DEFAULT_QUIET_HOURS.contains(time(3, 0))
    assert DEFAULT_QUIET_HOURS.contains(time(7, 59, 59))
    assert not DEFAULT_QUIET_HOURS.contains(time(8, 0))
    assert not DEFAULT_QUIET_HOURS.contains(time(21, 59))


def test_a_daytime_period_does_not_wrap_and_equal_ends_switch_it_off() -> None:
    lunch = QuietHours(time(12), time(13))
    assert lunch.contains(time(12, 30))
    assert not lunch.contains(time(13))
    assert not lunch.contains(time(0))
    off = QuietHours(time(8), time(8))
    assert not off.enabled
    assert not any(off.contains(time(hour)) for hour in range(24))


def test_parsing_reports_each_bad_field() -> None:
    assert QuietHours.parse("21:30", "07:00") == QuietHours(time(21, 30), time(7))
    with pytest.raises(ValidationFailed) as invalid:
        QuietHours.parse("25:00", "seven")
    assert [e.field for e in invalid.value.errors] == ["quiet_hours_start", "quiet_hours_end"]
    with pytest.raises(ValidationFailed):
        QuietHours.parse("22:00+01:00", "08:00")
    with pytest.raises(DomainRuleViolated):
        QuietHours(time(22, tzinfo=UTC), time(8))


def test_outside_quiet_hours_the_release_is_now() -> None:
    noon_in_berlin = _utc(2026, 1, 15, 11, 0)
    assert DEFAULT_QUIET_HOURS.release(noon_in_berlin, BERLIN) == noon_in_berlin


def test_late_evening_waits_for_eight_the_next_morning_local_time() -> None:
    # 23:30 in Berlin (CET, UTC+1) -> 08:00 CET next day = 07:00 UTC.
    assert DEFAULT_QUIET_HOURS.release(_utc(2026, 1, 15, 22, 30), BERLIN) == _utc(2026, 1, 16, 7, 0)
    # The same instant is 17:30 in New York: not quiet there.
    assert DEFAULT_QUIET_HOURS.release(_utc(2026, 1, 15, 22, 30), NEW_YORK) == _utc(
        2026, 1, 15, 22, 30
    )


def test_the_night_the_clocks_go_forward() -> None:
    # Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    assert DEFAULT_QUIET_HOURS.release(_utc(2026, 3, 28, 23, 0), BERLIN) == _utc(
        2026, 3, 29, 6, 0
    )  # 08:00 CEST
    # If quiet hours end at 02:30, that wall time never happens: release at the jump.
    until_half_two = QuietHours(time(22), time(2, 30))
    assert until_half_two.release(_utc(2026, 3, 28, 23, 0), BERLIN) == _utc(2026, 3, 29, 1, 0)


def test_the_night_the_clocks_go_back() -> None:
    # Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice.
    until_half_two = QuietHours(time(22), time(2, 30))
    assert until_half_two.release(_utc(2026, 10, 24, 23, 0), BERLIN) == _utc(2026, 10, 25, 0, 30)
    assert DEFAULT_QUIET_HOURS.release(_utc(2026, 10, 24, 23, 0), BERLIN) == _utc(
        2026, 10, 25, 7, 0
    )  # 08:00 CET


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DEFAULT_QUIET_HOURS.release(datetime(2026, 1, 1, 23), BERLIN)


@settings(max_examples=budget(400), deadline=None)
@given(quiet=quiet_periods, now=instants, zone=zones, fraction=st.floats(0, 1, exclude_max=True))
@example(
    quiet=QuietHours(time(22), time(2, 30)),
    now=_utc(2026, 3, 28, 23, 0),
    zone=BERLIN,
    fraction=0.99,
)
@example(quiet=DEFAULT_QUIET_HOURS, now=_utc(2026, 4, 4, 14, 45), zone=LORD_HOWE, fraction=0.5)
def test_the_release_is_the_first_instant_outside_quiet_hours(
    quiet: QuietHours, now: datetime, zone: ZoneInfo, fraction: float
) -> None:
    assume(quiet.enabled)
    release = quiet.release(now, zone)
    assert release.utcoffset() == timedelta(0)
    assert release >= now
    assert not quiet.is_quiet_at(release, zone)
    assert (release == now) == (not quiet.is_quiet_at(now, zone))
    # Nothing earlier would do: every instant between now and the release is quiet.
    between = now + (release - now) * fraction
    assert between == release or quiet.is_quiet_at(between, zone)
    # Never held longer than the period itself plus a daylight-saving shift.
    assert release - now <= quiet.length + timedelta(hours=2)


@settings(max_examples=budget(300), deadline=None)
@given(now=instants, zone=zones)
def test_with_the_default_an_email_never_waits_a_day(now: datetime, zone: ZoneInfo) -> None:
    release = DEFAULT_QUIET_HOURS.release(now, zone)
    assert now <= release < now + timedelta(hours=24)
    local = release.astimezone(zone).time()
    assert time(8) <= local < time(22)


@given(kind=st.sampled_from(NotificationKind), key=st.text(max_size=40))
def test_notification_ids_are_stable_and_distinct_per_member(
    kind: NotificationKind, key: str
) -> None:
    ada, bo = uuid4(), uuid4()
    assert notification_id(kind, key, ada) == notification_id(kind, key, ada)
    assert notification_id(kind, key, ada) != notification_id(kind, key, bo)
    other_kind = next(k for k in NotificationKind if k is not kind)
    assert notification_id(kind, key, ada) != notification_id(other_kind, key, ada)
