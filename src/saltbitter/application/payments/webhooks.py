"""Applying the payment provider's webhook events: each event id once, never backwards.

The event id goes into the ledger (a unique key) in the same transaction as the event's
effect, so a replayed or concurrent duplicate finds it there and changes nothing; the
member's row is locked while the effect is computed; facts older than the newest one
applied are ignored (``records.is_stale``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from saltbitter.application.payments.events import (
    PaymentFailed,
    SubscriptionActivated,
    SubscriptionEnded,
)
from saltbitter.application.payments.policy import PaymentsPolicy
from saltbitter.application.payments.purchase_records import apply_purchase_status
from saltbitter.application.payments.records import (
    apply_snapshot,
    as_domain,
    effective_tier,
    is_stale,
)
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.payments import (
    MemberTiers,
    PaymentGateway,
    ProviderEvent,
    PurchaseAccounts,
    PurchaseStore,
    SubscriptionRecord,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.subscriptions import SubscriptionState

__all__ = [
    "HANDLED_EVENTS",
    "PAYMENT_INTENT_EVENTS",
    "HandleProviderEvent",
    "Outcome",
    "store_change",
]

CHECKOUT_COMPLETED = "checkout.session.completed"
SUBSCRIPTION_CREATED = "customer.subscription.created"
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_failed"})
PAYMENT_INTENT_EVENTS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})
HANDLED_EVENTS = frozenset(
    {
        *PAYMENT_INTENT_EVENTS,
        CHECKOUT_COMPLETED,
        SUBSCRIPTION_CREATED,
        "customer.subscription.updated",
        "customer.subscription.deleted",
        *INVOICE_EVENTS,
    }
)


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this event id was processed before: nothing changed
    STALE = "stale"  # older than what is stored: recorded, nothing changed
    IGNORED = "ignored"  # not a handled type, or about no member known here


async def store_change(
    before: SubscriptionRecord,
    after: SubscriptionRecord,
    *,
    now: datetime,
    subscriptions: SubscriptionStore,
    tiers: MemberTiers,
    outbox: Outbox,
) -> None:
    """Save ``after``, give the member the tier it allows now, and announce transitions
    (inside the caller's transaction)."""
    await subscriptions.save(after)
    tier = effective_tier(after, now)
    if await tiers.current_tier(after.member) not in {None, tier}:
        await tiers.set_tier(after.member, tier)
    was_paid, is_paid = as_domain(before).is_paid, as_domain(after).is_paid
    if is_paid and not was_paid:
        outbox.add(SubscriptionActivated(user_id=after.member, tier=after.tier))
    if after.state is SubscriptionState.PAST_DUE and before.state is not SubscriptionState.PAST_DUE:
        outbox.add(PaymentFailed(user_id=after.member))
    if was_paid and after.state is SubscriptionState.CANCELED:
        outbox.add(SubscriptionEnded(user_id=after.member))


@dataclass(frozen=True, slots=True)
class HandleProviderEvent:
    transaction: Transaction
    ledger: WebhookLedger
    subscriptions: SubscriptionStore
    tiers: MemberTiers
    gateway: PaymentGateway
    outbox: Outbox
    clock: Clock
    policy: PaymentsPolicy
    purchases: PurchaseStore
    accounts: PurchaseAccounts

    async def __call__(self, event: ProviderEvent) -> Outcome:
        snapshot = event.subscription
        if event.type == CHECKOUT_COMPLETED and event.subscription_id and snapshot is None:
            # The session names the subscription; its state comes from the provider
            # (before the transaction: no network call holds a row lock).
            snapshot = await self.gateway.retrieve_subscription(event.subscription_id)
        now = self.clock.now()
        async with self.transaction:
            if not await self.ledger.record(event.id, event.type, now):
                return Outcome.DUPLICATE
            outcome = await self._apply(replace(event, subscription=snapshot), now)
            await self.transaction.commit()
        return outcome

    async def _locked_record(self, event: ProviderEvent) -> SubscriptionRecord | None:
        if event.member is not None:
            found = await self.subscriptions.for_update(event.member)
            if found is not None:
                return found
        if event.customer_id is not None:
            by_customer = await self.subscriptions.for_customer(event.customer_id)
            if by_customer is not None:
                return await self.subscriptions.for_update(by_customer.member)
        return None

    async def _apply_payment(self, event: ProviderEvent, now: datetime) -> Outcome:
        """A purchase's payment intent succeeded or failed: found by the intent's
        ``purchase_id`` metadata (the event may come before our own call's answer was
        stored), else by the intent id; the status only moves upwards."""
        fact = event.payment_intent
        if fact is None:
            return Outcome.IGNORED
        found = await self.purchases.get(fact.purchase_id) if fact.purchase_id else None
        found = found or await self.purchases.by_intent(fact.intent_id)
        if found is None or (found.intent_id not in {None, fact.intent_id}):
            return Outcome.IGNORED
        account = await self.accounts.lock(found.member, now)
        current = await self.purchases.get(found.id) or found
        changed = await apply_purchase_status(
            current,
            fact.status,
            fact.intent_id,
            account=account,
            now=now,
            purchases=self.purchases,
            accounts=self.accounts,
            outbox=self.outbox,
            catalog=self.policy.items,
        )
        return Outcome.APPLIED if changed else Outcome.STALE

    async def _apply(self, event: ProviderEvent, now: datetime) -> Outcome:
        if event.type in PAYMENT_INTENT_EVENTS:
            return await self._apply_payment(event, now)
        snapshot = event.subscription
        if event.type not in HANDLED_EVENTS or snapshot is None:
            return Outcome.IGNORED
        record = await self._locked_record(event)
        if record is None:
            return Outcome.IGNORED
        if is_stale(record, snapshot.id, event.created):
            return Outcome.STALE
        if (
            event.type == SUBSCRIPTION_CREATED
            and record.subscription_id == snapshot.id
            and record.observed_at is not None
        ):
            return Outcome.STALE  # a later fact about this subscription arrived first
        if event.type in INVOICE_EVENTS:
            canceling = (
                record.state is SubscriptionState.CANCELING
                and record.subscription_id == snapshot.id
            )
            snapshot = replace(snapshot, cancel_at_period_end=canceling)
        after = apply_snapshot(record, snapshot, now=now, at=event.created, grace=self.policy.grace)
        await store_change(
            record,
            after,
            now=now,
            subscriptions=self.subscriptions,
            tiers=self.tiers,
            outbox=self.outbox,
        )
        return Outcome.APPLIED
