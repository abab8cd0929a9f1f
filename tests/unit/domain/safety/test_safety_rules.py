"""Safety's pure rules: severity, escalation, queue order, decisions, check-ins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed
from saltbitter.domain.safety import (
    CONTACT_RETENTION,
    ESCALATION_REPORTERS,
    SEVERITY,
    ModerationAction,
    ReportReason,
    check_check_in,
    check_details,
    check_resolution,
    contact_purge_due,
    ensure_not_self,
    is_escalated,
    queue_key,
    severity_of,
)
from saltbitter.domain.shared import UserId

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
members = st.uuids().map(UserId)
times = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)
queued = st.tuples(st.booleans(), st.sampled_from(list(ReportReason)), times, st.uuids())


def test_every_reason_has_a_severity_from_one_to_five() -> None:
    assert set(SEVERITY) == set(ReportReason)
    assert all(1 <= severity_of(reason) <= 5 for reason in ReportReason)
    assert severity_of(ReportReason.UNDERAGE) > severity_of(ReportReason.SPAM)


@given(st.lists(members, max_size=10))
def test_escalation_counts_distinct_reporters(reporters: list[UserId]) -> None:
    assert is_escalated(reporters) == (len(set(reporters)) >= ESCALATION_REPORTERS)
    # The same reporter repeated never escalates on their own.
    if reporters:
        assert not is_escalated(reporters[:1] * 10)


@given(st.lists(members, max_size=6), members)
def test_escalation_is_monotonic(reporters: list[UserId], another: UserId) -> None:
    """More reporters never de-escalate a member."""
    if is_escalated(reporters):
        assert is_escalated([*reporters, another])


@given(st.lists(queued, min_size=2, max_size=20))
def test_the_queue_order_is_escalation_then_severity_then_age(
    items: list[tuple[bool, ReportReason, datetime, UUID]],
) -> None:
    keys = sorted(
        queue_key(escalated=e, severity=severity_of(r), created_at=t, report_id=i)
        for e, r, t, i in items
    )
    for earlier, later in pairwise(keys):
        if earlier.not_escalated != later.not_escalated:
            assert not earlier.not_escalated  # every escalated report comes first
        elif earlier.minus_severity != later.minus_severity:
            assert -earlier.minus_severity > -later.minus_severity
        else:
            assert earlier.created_at <= later.created_at


@given(st.text(max_size=1200))
def test_details_are_ten_to_a_thousand_trimmed_characters(details: str) -> None:
    problem = check_details(details)
    assert (problem is None) == (10 <= len(details.strip()) <= 1000)


def test_nobody_blocks_or_reports_themselves() -> None:
    me = UserId(uuid4())
    with pytest.raises(DomainRuleViolated) as raised:
        ensure_not_self(me, me, "block")
    assert raised.value.code == "cannot_block_self"
    ensure_not_self(me, UserId(uuid4()), "report")


@given(
    st.sampled_from([*ModerationAction, "nope"]),
    st.one_of(st.none(), st.integers(-5, 400)),
    st.text(max_size=20),
)
def test_a_resolution_is_valid_exactly_when_its_fields_are(
    action: str, days: int | None, note: str
) -> None:
    valid = (
        action in set(ModerationAction)
        and bool(note.strip())
        and (
            (action == ModerationAction.SUSPEND and days is not None and 1 <= days <= 365)
            or (action != ModerationAction.SUSPEND and days is None)
        )
    )
    try:
        resolution = check_resolution(action, days, note)
    except ValidationFailed:
        assert not valid
    else:
        assert valid
        until = resolution.suspended_until(NOW)
        assert (until is not None) == (resolution.action is ModerationAction.SUSPEND)
        if until is not None:
            assert until - NOW == timedelta(days=days or 0)


def test_a_check_in_reports_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as raised:
        check_check_in(
            now=NOW,
            starts_at=NOW - timedelta(hours=1),
            check_in_by=NOW - timedelta(hours=2),
            name=" ",
            email="not an address",
        )
    assert {e.field for e in raised.value.errors} == {
        "starts_at",
        "check_in_by",
        "contact.name",
        "contact.email",
    }
    contact = check_check_in(
        now=NOW,
        starts_at=NOW,
        check_in_by=NOW + timedelta(hours=3),
        name=" Sam ",
        email="Sam@Example.org",
    )
    assert (contact.name, contact.email.value) == ("Sam", "sam@example.org")


@given(times, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_contacts_go_exactly_seven_days_after_the_check_in(due: datetime, gap: timedelta) -> None:
    assert contact_purge_due(due, due + gap) == (gap >= CONTACT_RETENTION)
