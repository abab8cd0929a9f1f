"""A job a dead worker held is handed out again soon after its visibility timeout."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.entrypoints.celery_config import broker_transport_options


@given(st.integers(min_value=1, max_value=86_400))
def test_expired_jobs_are_looked_for_on_every_sweep_a_third_of_the_timeout_apart(
    timeout: int,
) -> None:
    options = broker_transport_options(timeout)
    assert options["visibility_timeout"] == timeout
    # kombu's default scans on every 10th sweep only: 100 s late for a 3 s timeout
    # (the daily-shard kill test waited for it in vain).
    assert options["unacked_restore_throttle"] == 1
    assert 1 <= options["unacked_restore_interval"] <= 10
    assert options["unacked_restore_interval"] <= max(1, timeout // 3)
