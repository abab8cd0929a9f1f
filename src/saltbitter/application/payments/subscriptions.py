"""What a member does with their subscription (issue 11, API under /api/v1).

Calls to the payment provider happen outside any database transaction; the local record
is then written in one. Webhooks report the same changes later and find them applied.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from saltbitter.application.payments.dto import (
    CheckoutStarted,
    PlansView,
    PlanView,
    PortalLink,
    SubscriptionStarted,
    SubscriptionView,
)
from saltbitter.application.payments.policy import PaymentsPolicy
from saltbitter.application.payments.records import (
    apply_snapshot,
    as_domain,
    effective_tier,
    new_record,
)
from saltbitter.application.payments.webhooks import store_change
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.payments import (
    CheckoutRequest,
    MemberContacts,
    MemberTiers,
    PaymentGateway,
    SubscriptionRecord,
    SubscriptionStore,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, NotFound, ValidationFailed
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import SubscriptionState, tier_rank

__all__ = [
    "CancelSubscription",
    "ChangeTier",
    "Customers",
    "ListPlans",
    "OpenBillingPortal",
    "ResumeSubscription",
    "ShowSubscription",
    "StartCheckout",
    "SubscribeWithPaymentMethod",
]


def _paid_tier(tier: Tier) -> Tier:
    if tier is Tier.FREE:
        raise ValidationFailed.single(
            "tier", "Choose a paid tier (cancel to go back to Free).", "not_a_paid_tier"
        )
    return tier


@dataclass(frozen=True, slots=True)
class ListPlans:
    policy: PaymentsPolicy
    gateway: PaymentGateway

    async def __call__(self) -> PlansView:
        plans = [
            PlanView(
                tier=plan.tier.value,
                monthly_price_cents=plan.monthly_price.amount_minor,
                currency=plan.monthly_price.currency,
                entitlements=asdict(plan.entitlements),
            )
            for plan in self.policy.catalog.plans
        ]
        return PlansView(plans=plans, test_mode=self.gateway.test_mode)


@dataclass(frozen=True, slots=True)
class Customers:
    """The member's provider customer, created at the first purchase."""

    transaction: Transaction
    subscriptions: SubscriptionStore
    contacts: MemberContacts
    gateway: PaymentGateway
    clock: Clock

    async def ensure(self, principal: Principal) -> SubscriptionRecord:
        record = await self.subscriptions.for_member(principal.user_id)
        if record is not None:
            return record
        email = await self.contacts.email_of(principal.user_id)
        if email is None:
            raise NotFound("No such member.")
        customer = await self.gateway.create_customer(principal.user_id, email)
        async with self.transaction:
            record = await self.subscriptions.for_update(principal.user_id)
            if record is None:
                record = new_record(principal.user_id, customer, self.clock.now())
                await self.subscriptions.save(record)
            await self.transaction.commit()
        return record


def _refuse_if_paid(record: SubscriptionRecord) -> None:
    if as_domain(record).is_paid:
        raise Conflict(
            "You already have a subscription; change its tier instead.",
            code="already_subscribed",
        )


@dataclass(frozen=True, slots=True)
class StartCheckout:
    transaction: Transaction
    subscriptions: SubscriptionStore
    contacts: MemberContacts
    gateway: PaymentGateway
    clock: Clock
    policy: PaymentsPolicy

    async def __call__(self, principal: Principal, tier: Tier) -> CheckoutStarted:
        _paid_tier(tier)
        customers = Customers(
            self.transaction, self.subscriptions, self.contacts, self.gateway, self.clock
        )
        record = await customers.ensure(principal)
        _refuse_if_paid(record)
        url = await self.gateway.checkout_url(
            CheckoutRequest(
                customer_id=record.customer_id,
                member=principal.user_id,
                tier=tier,
                success_url=self.policy.url("/api/v1/subscriptions/me?checkout=complete"),
                cancel_url=self.policy.url("/api/v1/plans?checkout=canceled"),
            )
        )
        return CheckoutStarted(checkout_url=url, test_mode=self.gateway.test_mode)


@dataclass(frozen=True, slots=True)
class SubscribeWithPaymentMethod:
    """The seed's payment-method flow: the client collected a payment method; the first
    invoice is paid now, or the answer carries the client secret for 3-D Secure."""

    transaction: Transaction
    subscriptions: SubscriptionStore
    contacts: MemberContacts
    tiers: MemberTiers
    gateway: PaymentGateway
    outbox: Outbox
    clock: Clock
    policy: PaymentsPolicy

    async def __call__(
        self, principal: Principal, tier: Tier, payment_method_id: str
    ) -> SubscriptionStarted:
        _paid_tier(tier)
        customers = Customers(
            self.transaction, self.subscriptions, self.contacts, self.gateway, self.clock
        )
        record = await customers.ensure(principal)
        _refuse_if_paid(record)
        snapshot = await self.gateway.create_subscription(
            record.customer_id,
            tier,
            payment_method_id,
            idempotency_key=f"subscribe-{principal.user_id}-{tier}-{payment_method_id}",
        )
        now = self.clock.now()
        async with self.transaction:
            current = await self.subscriptions.for_update(principal.user_id) or record
            after = apply_snapshot(current, snapshot, now=now, at=now, grace=self.policy.grace)
            await store_change(
                current,
                after,
                now=now,
                subscriptions=self.subscriptions,
                tiers=self.tiers,
                outbox=self.outbox,
            )
            await self.transaction.commit()
        return SubscriptionStarted(
            status=snapshot.status.value, client_secret=snapshot.client_secret
        )


@dataclass(frozen=True, slots=True)
class _Change:
    """Read the member's live subscription, call the provider, store the new record."""

    transaction: Transaction
    subscriptions: SubscriptionStore
    tiers: MemberTiers
    outbox: Outbox
    clock: Clock

    async def live(self, principal: Principal) -> tuple[SubscriptionRecord, str]:
        record = await self.subscriptions.for_member(principal.user_id)
        if record is None or record.subscription_id is None or not as_domain(record).is_paid:
            raise NotFound("You have no subscription.", code="no_subscription")
        return record, record.subscription_id

    async def store(self, before: SubscriptionRecord, after: SubscriptionRecord) -> None:
        async with self.transaction:
            await store_change(
                before,
                # The member's own change is the newest fact: the provider's events
                # about what it replaced (stamped in whole seconds) are older.
                replace(after, updated_at=self.clock.now(), observed_at=self.clock.now()),
                now=self.clock.now(),
                subscriptions=self.subscriptions,
                tiers=self.tiers,
                outbox=self.outbox,
            )
            await self.transaction.commit()


def _with_domain(
    record: SubscriptionRecord, state: SubscriptionState, tier: Tier
) -> SubscriptionRecord:
    return replace(record, state=state, tier=tier)


@dataclass(frozen=True, slots=True)
class ChangeTier:
    """Upgrade now (the provider prorates and invoices the difference); downgrade at the
    end of the period already paid for."""

    transaction: Transaction
    subscriptions: SubscriptionStore
    tiers: MemberTiers
    gateway: PaymentGateway
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal, tier: Tier) -> SubscriptionView:
        change = _Change(self.transaction, self.subscriptions, self.tiers, self.outbox, self.clock)
        record, subscription_id = await change.live(principal)
        _paid_tier(tier)
        subscription = as_domain(record)
        if tier_rank(tier) > tier_rank(record.tier):
            upgraded = subscription.upgrade(tier)
            await self.gateway.change_tier(subscription_id, tier, prorate=True)
            after = replace(
                _with_domain(record, upgraded.state, upgraded.tier), scheduled_tier=None
            )
        else:
            subscription.downgrade(tier)  # checks the state and the direction
            await self.gateway.change_tier(subscription_id, tier, prorate=False)
            after = replace(record, scheduled_tier=tier)
        await change.store(record, after)
        return _view(after, self.clock.now(), test_mode=self.gateway.test_mode)


@dataclass(frozen=True, slots=True)
class CancelSubscription:
    transaction: Transaction
    subscriptions: SubscriptionStore
    tiers: MemberTiers
    gateway: PaymentGateway
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal) -> SubscriptionView:
        change = _Change(self.transaction, self.subscriptions, self.tiers, self.outbox, self.clock)
        record, subscription_id = await change.live(principal)
        canceled = as_domain(record).cancel()
        await self.gateway.cancel_at_period_end(subscription_id)
        after = replace(
            record,
            state=canceled.state,
            tier=canceled.tier,
            current_period_end=canceled.current_period_end,
            grace_deadline=canceled.grace_deadline,
        )
        await change.store(record, after)
        return _view(after, self.clock.now(), test_mode=self.gateway.test_mode)


@dataclass(frozen=True, slots=True)
class ResumeSubscription:
    transaction: Transaction
    subscriptions: SubscriptionStore
    tiers: MemberTiers
    gateway: PaymentGateway
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal) -> SubscriptionView:
        change = _Change(self.transaction, self.subscriptions, self.tiers, self.outbox, self.clock)
        record, subscription_id = await change.live(principal)
        resumed = as_domain(record).resume(now=self.clock.now())
        await self.gateway.resume(subscription_id)
        after = _with_domain(record, resumed.state, resumed.tier)
        await change.store(record, after)
        return _view(after, self.clock.now(), test_mode=self.gateway.test_mode)


def _view(record: SubscriptionRecord | None, now: datetime, *, test_mode: bool) -> SubscriptionView:
    if record is None:
        return SubscriptionView(
            state=SubscriptionState.FREE.value,
            tier=Tier.FREE.value,
            effective_tier=Tier.FREE.value,
            current_period_end=None,
            cancel_at_period_end=False,
            grace_deadline=None,
            scheduled_tier=None,
            test_mode=test_mode,
        )
    return SubscriptionView(
        state=record.state.value,
        tier=record.tier.value,
        effective_tier=effective_tier(record, now).value,
        current_period_end=record.current_period_end,
        cancel_at_period_end=record.state is SubscriptionState.CANCELING,
        grace_deadline=record.grace_deadline,
        scheduled_tier=record.scheduled_tier.value if record.scheduled_tier else None,
        test_mode=test_mode,
    )


@dataclass(frozen=True, slots=True)
class ShowSubscription:
    subscriptions: SubscriptionStore
    gateway: PaymentGateway
    clock: Clock

    async def __call__(self, principal: Principal) -> SubscriptionView:
        record = await self.subscriptions.for_member(principal.user_id)
        return _view(record, self.clock.now(), test_mode=self.gateway.test_mode)


@dataclass(frozen=True, slots=True)
class OpenBillingPortal:
    subscriptions: SubscriptionStore
    gateway: PaymentGateway
    policy: PaymentsPolicy

    async def __call__(self, principal: Principal) -> PortalLink:
        record = await self.subscriptions.for_member(principal.user_id)
        if record is None:
            raise NotFound("You have no billing account yet.", code="no_billing_account")
        url = await self.gateway.billing_portal_url(
            record.customer_id, self.policy.url("/api/v1/subscriptions/me")
        )
        return PortalLink(url=url)
