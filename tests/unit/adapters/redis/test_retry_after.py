"""Retry-After of the Redis rate limiter: whole seconds, never early, never beyond the window."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.redis.rate_limit import retry_after


@given(
    window_seconds=st.integers(min_value=1, max_value=86_400),
    fraction=st.floats(min_value=0.0, max_value=1.0),
)
def test_retry_after_is_the_wait_rounded_up_within_one_second_and_the_window(
    window_seconds: int, fraction: float
) -> None:
    wait_ms = int(window_seconds * 1000 * fraction)
    seconds = retry_after(wait_ms, window_seconds)
    assert 1 <= seconds <= window_seconds
    assert seconds * 1000 >= wait_ms  # a client that waits that long is let in
    assert seconds == 1 or (seconds - 1) * 1000 < wait_ms  # and not a second longer
