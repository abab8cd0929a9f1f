"""Retry-After values: the wait rounded up to whole seconds, exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from saltbitter.domain.ai.quota import quota_resets_at, seconds_until_reset
from saltbitter.domain.shared import retry_after_seconds

waits = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=40))


@given(waits)
@example(timedelta(seconds=1, microseconds=999))  # was 1 with "+ 0.999"
@example(timedelta(seconds=3600, microseconds=1))
def test_waiting_the_answer_is_enough_and_a_second_less_is_not(wait: timedelta) -> None:
    seconds = retry_after_seconds(wait)
    assert timedelta(seconds=seconds) >= wait
    assert seconds == 1 or timedelta(seconds=seconds - 1) < wait


def test_nothing_left_to_wait_still_says_one_second() -> None:
    assert retry_after_seconds(timedelta(0)) == 1
    assert retry_after_seconds(timedelta(seconds=-5)) == 1


@given(st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1)))
@example(datetime(2026, 12, 7, 22, 59, 59, 999999, tzinfo=UTC))
def test_the_ai_quota_retry_lands_on_or_after_the_reset(now: datetime) -> None:
    seconds = seconds_until_reset(now)
    assert now + timedelta(seconds=seconds) >= quota_resets_at(now)
    assert seconds == 1 or now + timedelta(seconds=seconds - 1) < quota_resets_at(now)
