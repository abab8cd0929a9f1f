"""Purchases and spending safeguards: prices, the status order, the cap's arithmetic and
cooling-off, and thresholds announced once a month (Hypothesis properties)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.errors import DomainRuleViolated
from saltbitter.domain.subscriptions import (
    COOLING_OFF,
    DEFAULT_ITEM_CATALOG,
    MAX_QUANTITY,
    SPENDING_THRESHOLDS_CENTS,
    PurchaseItem,
    PurchaseStatus,
    SpendingCap,
    SpendingNotices,
    month_of,
    month_start,
    would_pass_cap,
)

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
caps = st.none() | st.integers(min_value=0, max_value=100_000)
amounts = st.integers(min_value=1, max_value=50_000)
moments = st.integers(min_value=0, max_value=30 * 86_400).map(lambda s: T0 + timedelta(seconds=s))


def test_prices_are_fixed_per_item_and_quantity_is_bounded() -> None:
    assert DEFAULT_ITEM_CATALOG.total(PurchaseItem.SUPER_LIKE_PACK, 2).amount_minor == 998
    assert DEFAULT_ITEM_CATALOG.super_likes(PurchaseItem.SUPER_LIKE_PACK, 3) == 15
    assert DEFAULT_ITEM_CATALOG.super_likes(PurchaseItem.EVENT_TICKET, 3) == 0
    for quantity in (0, MAX_QUANTITY + 1, -1):
        with pytest.raises(DomainRuleViolated):
            DEFAULT_ITEM_CATALOG.total(PurchaseItem.EVENT_TICKET, quantity)


@given(st.lists(st.sampled_from(PurchaseStatus), min_size=1), st.randoms())
def test_status_reports_commute_and_succeeded_is_final(
    reports: list[PurchaseStatus], random: object
) -> None:
    def final(order: list[PurchaseStatus]) -> PurchaseStatus:
        status = PurchaseStatus.PENDING
        for reported in order:
            status = status.merge(reported)
        return status

    shuffled = list(reports)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert final(reports) == final(shuffled)
    if PurchaseStatus.SUCCEEDED in reports:
        assert final(reports) is PurchaseStatus.SUCCEEDED
    assert PurchaseStatus.SUCCEEDED.merge(PurchaseStatus.FAILED) is PurchaseStatus.SUCCEEDED


@given(st.integers(min_value=0, max_value=100_000), amounts, caps)
def test_the_cap_refuses_exactly_what_would_pass_it(
    spent: int, amount: int, cap: int | None
) -> None:
    refused = would_pass_cap(spent, amount, cap)
    assert refused == (cap is not None and spent + amount > cap)
    assert would_pass_cap(spent, amount, 0)  # a cap of 0 blocks every purchase


@given(st.lists(amounts, max_size=30), caps)
def test_accepting_only_what_fits_never_passes_the_cap(wanted: list[int], cap: int | None) -> None:
    spent = 0
    for amount in wanted:
        if not would_pass_cap(spent, amount, cap):
            spent += amount
    assert cap is None or spent <= cap


@given(caps, caps, moments, st.integers(min_value=0, max_value=3 * 86_400))
def test_lowering_applies_at_once_and_raising_waits_the_cooling_off(
    before: int | None, wanted: int | None, now: datetime, later_seconds: int
) -> None:
    cap = SpendingCap().request(before, T0 - timedelta(days=30)).settled(T0)
    assert cap.effective(now) == before
    after = cap.request(wanted, now)
    lower = wanted is not None and (before is None or wanted < before)
    later = now + timedelta(seconds=later_seconds)
    if lower or wanted == before:
        assert after.effective(now) == wanted
        assert not after.has_pending
    else:
        assert after.effective(now) == before
        assert after.pending_applies_at == now + COOLING_OFF
        assert after.effective(later) == (wanted if later >= now + COOLING_OFF else before)
    # Whatever was asked, the cap in force never rises before the cooling-off ends.
    if later < now + COOLING_OFF and before is not None:
        effective = after.effective(later)
        assert effective is not None
        assert effective <= before


@given(st.lists(st.tuples(caps, st.integers(min_value=0, max_value=86_400)), max_size=12))
def test_no_request_raises_the_cap_in_force_when_it_is_made(
    requests: list[tuple[int | None, int]],
) -> None:
    cap, now = SpendingCap(cap_cents=1_000), T0
    for cents, gap in requests:
        previous = cap.effective(now)
        cap = cap.request(cents, now)
        # A request never raises the cap at the moment it is made.
        assert _allows(cap.effective(now)) <= _allows(previous)
        if cents is not None and cents <= _allows(previous):
            assert cap.effective(now) == cents  # ... and a lower one applies at once
        now += timedelta(seconds=gap)


def _allows(cap: int | None) -> float:
    return float("inf") if cap is None else cap


def test_a_pending_raise_is_shown_and_dropped_by_a_lower_request() -> None:
    cap = SpendingCap(cap_cents=2_000).request(None, T0)
    assert (cap.cap_cents, cap.pending_cents, cap.pending_applies_at) == (
        2_000,
        None,
        T0 + COOLING_OFF,
    )
    assert cap.effective(T0 + COOLING_OFF) is None
    lowered = cap.request(1_000, T0 + timedelta(hours=1))
    assert (lowered.effective(T0 + timedelta(days=5)), lowered.has_pending) == (1_000, False)
    with pytest.raises(DomainRuleViolated):
        cap.request(-1, T0)


@given(st.lists(st.tuples(amounts, st.booleans()), max_size=40))
def test_each_threshold_is_announced_once_a_month(purchases: list[tuple[int, bool]]) -> None:
    notices, announced = SpendingNotices(), []
    spent = {"2026-03": 0, "2026-04": 0}
    for amount, next_month in purchases:
        month = "2026-04" if next_month else "2026-03"
        if month == "2026-03" and notices.month == "2026-04":
            continue  # months only move forward
        spent[month] += amount
        notices, due = notices.after(month, spent[month])
        announced += [(month, t) for t in due]
    assert len(announced) == len(set(announced))
    for month, total in spent.items():
        reached = {t for t in SPENDING_THRESHOLDS_CENTS if t <= total}
        mine = {t for m, t in announced if m == month}
        assert mine == reached


def test_months_are_utc_calendar_months() -> None:
    late = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert month_of(late) == "2026-03"
    assert month_of(late + timedelta(hours=1)) == "2026-04"
    assert month_start(late) == datetime(2026, 3, 1, tzinfo=UTC)
