"""Laws of the export limit, the archive lifetime and the breach register's clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from saltbitter.domain.errors import QuotaExceeded, ValidationFailed
from saltbitter.domain.privacy.breaches import (
    AUTHORITY_DEADLINE,
    Breach,
    BreachAction,
    BreachLogEntry,
    check_new_breach,
)
from saltbitter.domain.privacy.exports import (
    EXPORT_INTERVAL,
    DataExport,
    ExportStatus,
    check_export_allowed,
)
from saltbitter.domain.shared import UserId

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))


@given(gaps)
# 1.000999 s left used to be rounded down to 1 s, a retry the limit then refused.
@example(EXPORT_INTERVAL - timedelta(seconds=1, microseconds=999))
def test_a_new_export_is_allowed_exactly_24_hours_after_the_last(gap: timedelta) -> None:
    now = T0 + gap
    if gap >= EXPORT_INTERVAL:
        check_export_allowed(T0, now)
        return
    with pytest.raises(QuotaExceeded) as refused:
        check_export_allowed(T0, now)
    assert refused.value.code == "export_rate_limited"
    wait = refused.value.retry_after_seconds
    assert wait is not None
    # Waiting what it says is enough, and never more than a second beyond that.
    assert 1 <= wait <= EXPORT_INTERVAL.total_seconds()
    check_export_allowed(T0, now + timedelta(seconds=wait))
    assert now + timedelta(seconds=wait - 1) < T0 + EXPORT_INTERVAL


def test_a_first_export_is_always_allowed() -> None:
    check_export_allowed(None, T0)


@given(gaps)
def test_a_ready_archive_is_downloadable_for_exactly_seven_days(gap: timedelta) -> None:
    export = DataExport(uuid4(), UserId(uuid4()), T0).ready("exports/x/y.zip", T0)
    assert export.status is ExportStatus.READY
    assert export.downloadable(T0 + gap) == (gap < timedelta(days=7))
    assert not export.failed().downloadable(T0)


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)))
def test_the_authority_clock_counts_down_72_hours_from_awareness(elapsed: timedelta) -> None:
    breach = Breach(uuid4(), "s", ("email",), T0, T0)
    assert breach.authority_deadline == T0 + AUTHORITY_DEADLINE
    assert breach.time_left(T0 + elapsed) == AUTHORITY_DEADLINE - elapsed
    notified = dataclasses.replace(breach, authority_notified_at=T0 + elapsed)
    assert notified.time_left(T0 + elapsed) is None
    assert notified.notified_late() == (elapsed > AUTHORITY_DEADLINE)


def test_a_breach_needs_a_scope_data_classes_and_a_past_awareness() -> None:
    with pytest.raises(ValidationFailed) as invalid:
        check_new_breach(" ", [" "], T0 + timedelta(hours=1), T0)
    assert set(invalid.value.as_mapping()) == {"scope", "data_classes", "aware_at"}
    assert check_new_breach(" leak ", ["email", "email", " photos"], T0, T0) == (
        "leak",
        ("email", "photos"),
    )


def test_a_log_entry_cannot_be_changed() -> None:
    entry = BreachLogEntry(uuid4(), uuid4(), BreachAction.RECORDED, T0, "ops")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.actor = "someone else"  # type: ignore[misc]
