"""How a provider's facts become a member's stored subscription.

The stored record is always a valid ``domain.subscriptions.Subscription`` (its invariants
are checked on every change), and what the member may use is its ``effective_tier``.
Ordering rules (ADR 0023): a fact older than the newest one applied is ignored; a
subscription the provider reported deleted never comes back from a late fact about the
same subscription; ``created`` never overwrites what a later fact already said.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from saltbitter.application.ports.payments import (
    GatewayStatus,
    GatewaySubscription,
    SubscriptionRecord,
)
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import Subscription, SubscriptionState

__all__ = ["apply_snapshot", "as_domain", "effective_tier", "is_stale", "new_record"]

_S = SubscriptionState


def new_record(member: UserId, customer_id: str, now: datetime) -> SubscriptionRecord:
    return SubscriptionRecord(
        member=member,
        customer_id=customer_id,
        subscription_id=None,
        state=_S.FREE,
        tier=Tier.FREE,
        current_period_end=None,
        grace_deadline=None,
        scheduled_tier=None,
        observed_at=None,
        updated_at=now,
    )


def as_domain(record: SubscriptionRecord) -> Subscription:
    trial = record.state is _S.TRIALING
    return Subscription(
        state=record.state,
        tier=record.tier,
        current_period_end=record.current_period_end,
        grace_deadline=record.grace_deadline,
        is_trial=trial,
        trial_used=trial,
    )


def effective_tier(record: SubscriptionRecord | None, now: datetime) -> Tier:
    return Tier.FREE if record is None else as_domain(record).effective_tier(now)


def is_stale(record: SubscriptionRecord, subscription_id: str | None, at: datetime) -> bool:
    """Whether a fact about ``subscription_id`` observed at ``at`` is older than what is
    stored, or concerns a subscription already ended here."""
    if record.observed_at is not None and at < record.observed_at:
        return True
    return (
        subscription_id is not None
        and subscription_id == record.subscription_id
        and record.state is _S.CANCELED
    )


def _checked(record: SubscriptionRecord) -> SubscriptionRecord:
    as_domain(record)  # raises on an inconsistent combination
    return record


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


def apply_snapshot(
    record: SubscriptionRecord,
    snapshot: GatewaySubscription,
    *,
    now: datetime,
    at: datetime | None,
    grace: timedelta,
) -> SubscriptionRecord:
    """The record after the provider reported ``snapshot`` (observed at ``at``; None for
    an answer to our own call, which moves no event clock)."""
    observed = _later(record.observed_at, at)
    base = replace(record, subscription_id=snapshot.id, observed_at=observed, updated_at=now)
    status = snapshot.status
    if status in {GatewayStatus.CANCELED, GatewayStatus.INCOMPLETE_EXPIRED}:
        if record.subscription_id not in {None, snapshot.id} and record.state is not _S.CANCELED:
            # The end of an older subscription: the member's current one stays.
            return replace(record, observed_at=observed, updated_at=now)
        return _checked(
            replace(
                base,
                state=_S.CANCELED,
                tier=Tier.FREE,
                current_period_end=None,
                grace_deadline=None,
                scheduled_tier=None,
            )
        )
    tier = snapshot.tier if snapshot.tier not in {None, Tier.FREE} else None
    if tier is None and record.tier is not Tier.FREE:
        tier = record.tier
    period_end = snapshot.current_period_end or record.current_period_end
    if (
        status in {GatewayStatus.INCOMPLETE, GatewayStatus.PAUSED}
        or tier is None
        or (period_end is None)
    ):
        return replace(record, subscription_id=snapshot.id, observed_at=observed, updated_at=now)
    scheduled = record.scheduled_tier
    if scheduled is not None and tier is scheduled and record.tier is not Tier.FREE:
        # A downgrade waits for the period end the member already paid for.
        if record.current_period_end is not None and now < record.current_period_end:
            tier = record.tier
            period_end = record.current_period_end
        else:
            scheduled = None
    if status in {GatewayStatus.PAST_DUE, GatewayStatus.UNPAID}:
        deadline = record.grace_deadline if record.state is _S.PAST_DUE else None
        return _checked(
            replace(
                base,
                state=_S.PAST_DUE,
                tier=tier,
                current_period_end=period_end,
                grace_deadline=deadline or now + grace,
                scheduled_tier=scheduled,
            )
        )
    if snapshot.cancel_at_period_end:
        state = _S.CANCELING
    elif status is GatewayStatus.TRIALING:
        state = _S.TRIALING
    else:
        state = _S.ACTIVE
    return _checked(
        replace(
            base,
            state=state,
            tier=tier,
            current_period_end=period_end,
            grace_deadline=None,
            scheduled_tier=scheduled,
        )
    )
