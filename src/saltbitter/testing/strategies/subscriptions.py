"""Hypothesis strategies for tiers, money and reachable subscriptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from saltbitter.domain.errors import DomainRuleViolated
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import Money, Subscription, SubscriptionEvent

__all__ = ["SUBSCRIPTION_EPOCH", "money", "paid_tiers", "subscriptions", "tiers"]

# Every generated subscription lives in a window starting here, so callers can pick a
# "now" relative to it.
SUBSCRIPTION_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def tiers() -> st.SearchStrategy[Tier]:
    return st.sampled_from(Tier)


def paid_tiers() -> st.SearchStrategy[Tier]:
    return st.sampled_from([Tier.PREMIUM, Tier.ELITE])


def money(
    currency: str = "USD", min_minor: int = -1_000_000, max_minor: int = 1_000_000
) -> st.SearchStrategy[Money]:
    return st.integers(min_minor, max_minor).map(lambda amount: Money(amount, currency))


@st.composite
def _walk(draw: st.DrawFn, max_steps: int) -> Subscription:
    subscription = Subscription.free()
    now = SUBSCRIPTION_EPOCH
    for _ in range(draw(st.integers(0, max_steps))):
        now += draw(st.timedeltas(timedelta(0), timedelta(days=40)))
        legal = [event for event in SubscriptionEvent if subscription.allows(event)]
        event = draw(st.sampled_from(legal))
        tier = draw(paid_tiers())
        period_end = now + timedelta(days=draw(st.integers(1, 31)))
        try:
            subscription = _apply(subscription, event, tier, now, period_end)
        except DomainRuleViolated:
            # A legal event with unfitting arguments (same tier, too early): skip it.
            continue
    return subscription


def _apply(
    subscription: Subscription,
    event: SubscriptionEvent,
    tier: Tier,
    now: datetime,
    period_end: datetime,
) -> Subscription:
    match event:
        case SubscriptionEvent.SUBSCRIBE:
            return subscription.subscribe(tier, now=now, period_end=period_end)
        case SubscriptionEvent.START_TRIAL:
            return subscription.start_trial(tier, now=now, trial_end=period_end)
        case SubscriptionEvent.UPGRADE:
            return subscription.upgrade(tier)
        case SubscriptionEvent.DOWNGRADE:
            return subscription.downgrade(tier)
        case SubscriptionEvent.CANCEL:
            return subscription.cancel()
        case SubscriptionEvent.RESUME:
            return subscription.resume(now=now)
        case SubscriptionEvent.PAYMENT_FAILED:
            return subscription.on_payment_failed(now=now)
        case SubscriptionEvent.PAYMENT_SUCCEEDED:
            return subscription.on_payment_succeeded(now=now, period_end=period_end)
        case SubscriptionEvent.PERIOD_END:
            return subscription.on_period_end(now=now)
        case SubscriptionEvent.GRACE_EXPIRED:
            return subscription.on_grace_expired(now=now)


def subscriptions(max_steps: int = 8) -> st.SearchStrategy[Subscription]:
    """Subscriptions reached from Free by up to ``max_steps`` legal events.

    Time starts at SUBSCRIPTION_EPOCH and moves forward 0-40 days between events.
    """
    return _walk(max_steps)
