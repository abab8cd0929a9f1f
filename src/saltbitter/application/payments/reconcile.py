"""Nightly reconciliation: compare every linked subscription with the provider, repair
drift (a lost or misordered webhook), and end what the clock ended (grace periods,
canceled periods). Each member is repaired in its own short transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from saltbitter.application.payments.policy import PaymentsPolicy
from saltbitter.application.payments.records import apply_snapshot, effective_tier
from saltbitter.application.payments.webhooks import store_change
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.payments import (
    GatewayStatus,
    GatewaySubscription,
    MemberTiers,
    PaymentGateway,
    SubscriptionRecord,
    SubscriptionStore,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import SubscriptionState

__all__ = ["Drift", "ReconcileSubscriptions", "expire"]

PAGE = 100


@dataclass(frozen=True, slots=True)
class Drift:
    member: UserId
    subscription_id: str
    before: str
    after: str

    def describe(self) -> str:
        return f"{self.member} {self.subscription_id}: {self.before} -> {self.after}"


def _summary(record: SubscriptionRecord, tier: Tier | None) -> str:
    end = record.current_period_end.isoformat() if record.current_period_end else "-"
    return f"{record.state}/{record.tier} until {end}, member tier {tier}"


def expire(record: SubscriptionRecord, now: datetime) -> SubscriptionRecord:
    """End a past-due subscription whose grace is over, or a canceling one whose period
    is over (the provider's deletion event may come later, or never)."""
    past_grace = (
        record.state is SubscriptionState.PAST_DUE
        and record.grace_deadline is not None
        and record.grace_deadline <= now
    )
    period_over = (
        record.state is SubscriptionState.CANCELING
        and record.current_period_end is not None
        and record.current_period_end <= now
    )
    if not (past_grace or period_over):
        return record
    return replace(
        record,
        state=SubscriptionState.CANCELED,
        tier=Tier.FREE,
        current_period_end=None,
        grace_deadline=None,
        scheduled_tier=None,
        updated_at=now,
    )


def _comparable(record: SubscriptionRecord) -> tuple[object, ...]:
    return (
        record.subscription_id,
        record.state,
        record.tier,
        record.current_period_end,
        record.grace_deadline,
        record.scheduled_tier,
    )


@dataclass(frozen=True, slots=True)
class ReconcileSubscriptions:
    transaction: Transaction
    subscriptions: SubscriptionStore
    tiers: MemberTiers
    gateway: PaymentGateway
    outbox: Outbox
    clock: Clock
    policy: PaymentsPolicy

    async def __call__(
        self, *, dry_run: bool = False, progress: Callable[[int], None] | None = None
    ) -> list[Drift]:
        drifts: list[Drift] = []
        after: UserId | None = None
        seen = 0
        while True:
            page = await self.subscriptions.linked(after, PAGE)
            if not page:
                break
            for record in page:
                drift = await self._one(record, dry_run=dry_run)
                if drift is not None:
                    drifts.append(drift)
            seen += len(page)
            after = page[-1].member
            if progress is not None:
                progress(seen)
        return drifts

    async def _one(self, record: SubscriptionRecord, *, dry_run: bool) -> Drift | None:
        assert record.subscription_id is not None  # linked() returns linked records only
        found = await self.gateway.retrieve_subscription(record.subscription_id)
        snapshot = found or GatewaySubscription(
            id=record.subscription_id,
            customer_id=record.customer_id,
            status=GatewayStatus.CANCELED,
            tier=None,
            current_period_end=None,
            cancel_at_period_end=False,
        )
        now = self.clock.now()
        async with self.transaction:
            current = await self.subscriptions.for_update(record.member)
            if current is None or current.subscription_id != record.subscription_id:
                return None
            repaired = expire(
                apply_snapshot(current, snapshot, now=now, at=None, grace=self.policy.grace), now
            )
            member_tier = await self.tiers.current_tier(current.member)
            wanted = effective_tier(repaired, now)
            if _comparable(repaired) == _comparable(current) and member_tier in {None, wanted}:
                return None
            drift = Drift(
                member=current.member,
                subscription_id=record.subscription_id,
                before=_summary(current, member_tier),
                after=_summary(repaired, wanted),
            )
            if not dry_run:
                await store_change(
                    current,
                    repaired,
                    now=now,
                    subscriptions=self.subscriptions,
                    tiers=self.tiers,
                    outbox=self.outbox,
                )
                await self.transaction.commit()
        return drift
