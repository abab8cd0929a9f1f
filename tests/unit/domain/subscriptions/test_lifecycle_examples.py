"""Worked examples of the subscription lifecycle (docs/product-rules.md 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import (
    DEFAULT_GRACE_DAYS,
    Subscription,
    SubscriptionEvent,
    SubscriptionState,
)
from saltbitter.testing.strategies.subscriptions import SUBSCRIPTION_EPOCH, subscriptions

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MONTH = timedelta(days=30)


def active(tier: Tier = Tier.PREMIUM) -> Subscription:
    return Subscription.free().subscribe(tier, now=T0, period_end=T0 + MONTH)


def code_of(error: pytest.ExceptionInfo[DomainRuleViolated]) -> str:
    return error.value.code


def test_subscribing_makes_the_tier_effective_at_once() -> None:
    subscription = active(Tier.ELITE)
    assert subscription.state is SubscriptionState.ACTIVE
    assert subscription.tier is Tier.ELITE
    assert subscription.effective_tier(T0) is Tier.ELITE
    assert Subscription.free().effective_tier(T0) is Tier.FREE


def test_a_failed_payment_keeps_the_tier_for_seven_days_then_downgrades() -> None:
    assert DEFAULT_GRACE_DAYS == 7
    failed_at = T0 + MONTH
    past_due = active().on_payment_failed(now=failed_at)
    assert past_due.state is SubscriptionState.PAST_DUE
    assert past_due.grace_deadline == failed_at + 7 * DAY
    assert past_due.effective_tier(failed_at + 7 * DAY - timedelta(seconds=1)) is Tier.PREMIUM
    assert past_due.effective_tier(failed_at + 7 * DAY) is Tier.FREE

    with pytest.raises(DomainRuleViolated) as early:
        past_due.on_grace_expired(now=failed_at + 6 * DAY)
    assert code_of(early) == "grace_not_expired"

    canceled = past_due.on_grace_expired(now=failed_at + 7 * DAY)
    assert canceled.state is SubscriptionState.CANCELED
    assert canceled.tier is Tier.FREE


def test_a_retried_failure_does_not_extend_the_grace_and_a_payment_recovers() -> None:
    past_due = active().on_payment_failed(now=T0 + MONTH)
    again = past_due.on_payment_failed(now=T0 + MONTH + 3 * DAY)
    assert again.grace_deadline == past_due.grace_deadline
    recovered = again.on_payment_succeeded(now=T0 + MONTH + 4 * DAY, period_end=T0 + 2 * MONTH)
    assert recovered.state is SubscriptionState.ACTIVE
    assert recovered.grace_deadline is None
    assert recovered.current_period_end == T0 + 2 * MONTH


def test_grace_days_are_configurable() -> None:
    past_due = active().on_payment_failed(now=T0, grace_days=3)
    assert past_due.grace_deadline == T0 + 3 * DAY
    with pytest.raises(ValidationFailed):
        active().on_payment_failed(now=T0, grace_days=-1)


def test_cancel_keeps_the_tier_until_period_end_and_can_be_resumed_before() -> None:
    canceling = active(Tier.ELITE).cancel()
    assert canceling.state is SubscriptionState.CANCELING
    assert canceling.effective_tier(T0 + MONTH - DAY) is Tier.ELITE
    assert canceling.effective_tier(T0 + MONTH) is Tier.FREE

    resumed = canceling.resume(now=T0 + 10 * DAY)
    assert resumed == active(Tier.ELITE)

    with pytest.raises(DomainRuleViolated) as late:
        canceling.resume(now=T0 + MONTH)
    assert code_of(late) == "period_ended"

    with pytest.raises(DomainRuleViolated) as early:
        canceling.on_period_end(now=T0 + MONTH - DAY)
    assert code_of(early) == "period_not_ended"
    assert canceling.on_period_end(now=T0 + MONTH).state is SubscriptionState.CANCELED


def test_canceling_while_past_due_ends_at_once() -> None:
    past_due = active().on_payment_failed(now=T0 + MONTH)
    assert past_due.cancel().state is SubscriptionState.CANCELED


def test_trial_flow_and_one_trial_per_member() -> None:
    trial = Subscription.free().start_trial(Tier.PREMIUM, now=T0, trial_end=T0 + 14 * DAY)
    assert trial.state is SubscriptionState.TRIALING
    assert trial.effective_tier(T0 + 13 * DAY) is Tier.PREMIUM
    assert trial.effective_tier(T0 + 14 * DAY) is Tier.FREE

    canceling = trial.cancel()
    assert canceling.is_trial
    assert canceling.resume(now=T0 + DAY).state is SubscriptionState.TRIALING

    converted = trial.on_payment_succeeded(now=T0 + 14 * DAY, period_end=T0 + 44 * DAY)
    assert converted.state is SubscriptionState.ACTIVE
    assert not converted.is_trial

    lapsed = trial.on_period_end(now=T0 + 14 * DAY)
    assert lapsed.state is SubscriptionState.CANCELED
    assert lapsed.trial_used
    with pytest.raises(DomainRuleViolated) as again:
        lapsed.start_trial(Tier.ELITE, now=T0 + 20 * DAY, trial_end=T0 + 34 * DAY)
    assert code_of(again) == "trial_already_used"
    assert lapsed.subscribe(Tier.ELITE, now=T0 + 20 * DAY, period_end=T0 + 50 * DAY).is_paid


def test_upgrade_and_downgrade_between_paid_tiers() -> None:
    premium = active(Tier.PREMIUM)
    elite = premium.upgrade(Tier.ELITE)
    assert elite.tier is Tier.ELITE
    assert elite.current_period_end == premium.current_period_end
    assert elite.downgrade(Tier.PREMIUM) == premium

    with pytest.raises(DomainRuleViolated) as sideways:
        premium.upgrade(Tier.PREMIUM)
    assert code_of(sideways) == "not_an_upgrade"
    with pytest.raises(DomainRuleViolated) as up:
        premium.downgrade(Tier.ELITE)
    assert code_of(up) == "not_a_downgrade"
    with pytest.raises(ValidationFailed) as to_free:
        elite.downgrade(Tier.FREE)
    assert code_of(to_free) == "validation_failed"
    assert to_free.value.errors[0].code == "not_a_paid_tier"


def test_a_late_older_renewal_cannot_shorten_the_period() -> None:
    renewed = active().on_payment_succeeded(now=T0 + MONTH, period_end=T0 + 2 * MONTH)
    stale = renewed.on_payment_succeeded(now=T0 + MONTH, period_end=T0 + MONTH + DAY)
    assert stale.current_period_end == T0 + 2 * MONTH


@pytest.mark.parametrize(
    ("subscription", "command"),
    [
        (Subscription.free(), lambda s: s.cancel()),
        (Subscription.free(), lambda s: s.upgrade(Tier.ELITE)),
        (Subscription.free(), lambda s: s.on_payment_failed(now=T0)),
        (active(), lambda s: s.subscribe(Tier.ELITE, now=T0, period_end=T0 + MONTH)),
        (active(), lambda s: s.resume(now=T0)),
        (active(), lambda s: s.on_period_end(now=T0 + MONTH)),
        (active(), lambda s: s.on_grace_expired(now=T0 + MONTH)),
        (active().cancel(), lambda s: s.cancel()),
        (active().cancel(), lambda s: s.upgrade(Tier.ELITE)),
        (active().cancel(), lambda s: s.on_payment_failed(now=T0)),
        (active().on_payment_failed(now=T0), lambda s: s.upgrade(Tier.ELITE)),
        (active().cancel().on_period_end(now=T0 + MONTH), lambda s: s.resume(now=T0)),
    ],
)
def test_illegal_transitions_are_refused_with_a_stable_code(
    subscription: Subscription, command: object
) -> None:
    with pytest.raises(DomainRuleViolated) as caught:
        command(subscription)  # type: ignore[operator]
    assert code_of(caught) == "illegal_transition"


def test_allows_reports_the_legal_events() -> None:
    assert Subscription.free().allows(SubscriptionEvent.SUBSCRIBE)
    assert not Subscription.free().allows(SubscriptionEvent.CANCEL)
    assert active().cancel().allows(SubscriptionEvent.RESUME)


def test_times_must_be_aware_and_periods_in_the_future() -> None:
    naive = datetime(2025, 3, 1, 12, 0)  # deliberately without a time zone
    with pytest.raises(ValidationFailed) as caught:
        Subscription.free().subscribe(Tier.PREMIUM, now=naive, period_end=T0 + MONTH)
    assert caught.value.errors[0].code == "naive_datetime"
    with pytest.raises(ValidationFailed) as past:
        Subscription.free().subscribe(Tier.PREMIUM, now=T0, period_end=T0)
    assert past.value.errors[0].code == "not_in_future"
    with pytest.raises(ValidationFailed):
        active().effective_tier(naive)


@pytest.mark.parametrize(
    "fields",
    [
        {"state": SubscriptionState.FREE, "tier": Tier.PREMIUM},
        {"state": SubscriptionState.ACTIVE, "tier": Tier.FREE, "current_period_end": T0},
        {"state": SubscriptionState.ACTIVE, "tier": Tier.ELITE},
        {
            "state": SubscriptionState.ACTIVE,
            "tier": Tier.ELITE,
            "current_period_end": T0,
            "grace_deadline": T0,
        },
        {"state": SubscriptionState.PAST_DUE, "tier": Tier.ELITE, "current_period_end": T0},
        {"state": SubscriptionState.TRIALING, "tier": Tier.ELITE, "current_period_end": T0},
        {
            "state": SubscriptionState.ACTIVE,
            "tier": Tier.ELITE,
            "current_period_end": T0,
            "is_trial": True,
            "trial_used": True,
        },
    ],
)
def test_inconsistent_rows_cannot_be_rebuilt(fields: dict[str, object]) -> None:
    with pytest.raises(DomainRuleViolated) as caught:
        Subscription(**fields)  # type: ignore[arg-type]
    assert code_of(caught) == "invalid_subscription"


@given(subscriptions())
def test_generated_subscriptions_are_consistent(subscription: Subscription) -> None:
    # Rebuilding from the fields re-runs every invariant check.
    rebuilt = Subscription(
        state=subscription.state,
        tier=subscription.tier,
        current_period_end=subscription.current_period_end,
        grace_deadline=subscription.grace_deadline,
        is_trial=subscription.is_trial,
        trial_used=subscription.trial_used,
    )
    assert rebuilt == subscription
    if subscription.current_period_end is not None:
        assert subscription.current_period_end > SUBSCRIPTION_EPOCH


@given(subscriptions(), st.sampled_from([-1, 0, 1]))
def test_each_deadline_is_the_first_instant_without_the_paid_tier(
    subscription: Subscription, offset_seconds: int
) -> None:
    state = subscription.state
    deadline = (
        subscription.grace_deadline
        if state is SubscriptionState.PAST_DUE
        else subscription.current_period_end
    )
    if deadline is None:  # free or canceled
        assert subscription.effective_tier(T0) is Tier.FREE
        return
    now = deadline + timedelta(seconds=offset_seconds)
    before_deadline = offset_seconds < 0
    if state is SubscriptionState.ACTIVE:
        # Renewals arrive as payment events; the clock alone never takes the tier away.
        assert subscription.effective_tier(now) is subscription.tier
        return
    expected = subscription.tier if before_deadline else Tier.FREE
    assert subscription.effective_tier(now) is expected

    end = (
        subscription.on_grace_expired
        if state is SubscriptionState.PAST_DUE
        else (subscription.on_period_end)
    )
    if before_deadline:
        with pytest.raises(DomainRuleViolated):
            end(now=now)
    else:
        assert end(now=now).state is SubscriptionState.CANCELED
    if state is SubscriptionState.CANCELING:
        if before_deadline:
            assert subscription.resume(now=now).is_paid
        else:
            with pytest.raises(DomainRuleViolated):
                subscription.resume(now=now)
