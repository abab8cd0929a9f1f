"""In-memory fakes of the payments capability's ports, on the request's connection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID

from saltbitter.application.ports.payments import (
    CheckoutRequest,
    GatewayPaymentIntent,
    GatewayStatus,
    GatewaySubscription,
    MemberContacts,
    MemberTiers,
    PaymentGateway,
    PaymentIntentRequest,
    PurchaseAccount,
    PurchaseAccounts,
    PurchaseRecord,
    PurchaseStore,
    SubscriptionRecord,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.application.ports.system import Clock
from saltbitter.domain.errors import Conflict, Unavailable, ValidationFailed
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import (
    PurchaseItem,
    PurchaseStatus,
    SpendingCap,
    SpendingNotices,
)
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "InMemoryMemberContacts",
    "InMemoryMemberTiers",
    "InMemoryPaymentGateway",
    "InMemoryPurchaseAccounts",
    "InMemoryPurchaseStore",
    "InMemorySubscriptionStore",
    "InMemoryWebhookLedger",
    "PaymentsState",
]


@dataclass
class PaymentsState:
    """payment_subscriptions (by customer id), anonymised rows kept after an erasure
    (customer id -> record without its member), and payment_webhook_events."""

    subscriptions: dict[str, SubscriptionRecord] = field(default_factory=dict)
    anonymised: dict[str, dict[str, object]] = field(default_factory=dict)
    webhook_events: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    purchases: dict[UUID, PurchaseRecord] = field(default_factory=dict)
    anonymised_purchases: dict[UUID, dict[str, object]] = field(default_factory=dict)
    purchase_accounts: dict[UserId, PurchaseAccount] = field(default_factory=dict)

    def check(self) -> None:
        intents = [p.intent_id for p in self.purchases.values() if p.intent_id is not None]
        if len(intents) != len(set(intents)):
            raise Conflict("A purchase already has this payment.", code="conflict")
        members = [record.member for record in self.subscriptions.values()]
        linked = [r.subscription_id for r in self.subscriptions.values() if r.subscription_id]
        if len(members) != len(set(members)) or len(linked) != len(set(linked)):
            raise Conflict("A payment record already exists.", code="payment_record_taken")


class _Payments(InMemoryRepository):
    @property
    def _state(self) -> PaymentsState:
        return self._connection.state(PaymentsState)


class InMemorySubscriptionStore(_Payments, SubscriptionStore):
    async def for_member(self, member: UserId) -> SubscriptionRecord | None:
        return next((r for r in self._state.subscriptions.values() if r.member == member), None)

    async def for_customer(self, customer_id: str) -> SubscriptionRecord | None:
        return self._state.subscriptions.get(customer_id)

    async def for_update(self, member: UserId) -> SubscriptionRecord | None:
        return await self.for_member(member)

    async def save(self, record: SubscriptionRecord) -> None:
        self._state.subscriptions[record.customer_id] = replace(record)

    async def linked(self, after: UserId | None, limit: int) -> Sequence[SubscriptionRecord]:
        records = sorted(
            (r for r in self._state.subscriptions.values() if r.subscription_id is not None),
            key=lambda record: str(record.member),
        )
        if after is not None:
            records = [r for r in records if str(r.member) > str(after)]
        return records[:limit]


class InMemoryWebhookLedger(_Payments, WebhookLedger):
    async def record(self, event_id: str, event_type: str, received_at: datetime) -> bool:
        if event_id in self._state.webhook_events:
            return False
        self._state.webhook_events[event_id] = (event_type, received_at)
        return True


class InMemoryPurchaseStore(_Payments, PurchaseStore):
    async def add(self, record: PurchaseRecord) -> None:
        if record.id in self._state.purchases:
            raise Conflict("The purchase exists already.", code="conflict")
        self._state.purchases[record.id] = record

    async def save(self, record: PurchaseRecord) -> None:
        found = self._state.purchases.get(record.id)
        if found is not None:
            self._state.purchases[record.id] = replace(
                found,
                status=record.status,
                intent_id=record.intent_id,
                updated_at=record.updated_at,
            )

    async def get(self, purchase_id: UUID) -> PurchaseRecord | None:
        return self._state.purchases.get(purchase_id)

    async def by_intent(self, intent_id: str) -> PurchaseRecord | None:
        return next((p for p in self._state.purchases.values() if p.intent_id == intent_id), None)

    async def page(
        self, member: UserId, before: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[PurchaseRecord]:
        mine = sorted(
            (p for p in self._state.purchases.values() if p.member == member),
            key=lambda p: (p.created_at, p.id),
            reverse=True,
        )
        if before is not None:
            mine = [p for p in mine if (p.created_at, p.id) < before]
        return mine[:limit]

    async def total_cents(
        self,
        member: UserId,
        since: datetime,
        until: datetime,
        statuses: frozenset[PurchaseStatus],
    ) -> int:
        return sum(
            p.amount_cents
            for p in self._state.purchases.values()
            if p.member == member and since <= p.created_at < until and p.status in statuses
        )

    async def succeeded_ticket(self, member: UserId, event_id: str) -> PurchaseRecord | None:
        found = sorted(
            (
                p
                for p in self._state.purchases.values()
                if p.member == member
                and p.event_id == event_id
                and p.item is PurchaseItem.EVENT_TICKET
                and p.status is PurchaseStatus.SUCCEEDED
            ),
            key=lambda p: p.created_at,
        )
        return found[0] if found else None


class InMemoryPurchaseAccounts(_Payments, PurchaseAccounts):
    async def get(self, member: UserId) -> PurchaseAccount | None:
        return self._state.purchase_accounts.get(member)

    async def lock(self, member: UserId, now: datetime) -> PurchaseAccount:
        found = self._state.purchase_accounts.get(member)
        if found is None:
            found = PurchaseAccount(
                member=member,
                cap=SpendingCap(),
                notices=SpendingNotices(),
                super_likes=0,
                updated_at=now,
            )
            self._state.purchase_accounts[member] = found
        return found

    async def save(self, account: PurchaseAccount) -> None:
        self._state.purchase_accounts[account.member] = account


class InMemoryMemberTiers(InMemoryRepository, MemberTiers):
    """Writes the tier of accounts' in-memory users (as the SQL class writes users.tier)."""

    async def set_tier(self, member: UserId, tier: Tier) -> None:
        user = self._connection.state(AccountsState).users.get(member)
        if user is not None:
            user.tier = tier

    async def current_tier(self, member: UserId) -> Tier | None:
        user = self._connection.state(AccountsState).users.get(member)
        return user.tier if user is not None else None


class InMemoryMemberContacts(InMemoryRepository, MemberContacts):
    async def email_of(self, member: UserId) -> str | None:
        user = self._connection.state(AccountsState).users.get(member)
        return str(user.email) if user is not None else None


class InMemoryPaymentGateway(PaymentGateway):
    """The provider in memory: what it holds, and every call it was given (``calls``).
    Events are not emitted: tests hand ``ProviderEvent`` values to the webhook use case."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.subscriptions: dict[str, GatewaySubscription] = {}
        self.customers: dict[str, UserId] = {}
        self.calls: list[tuple[str, ...]] = []
        self.intents: dict[str, PaymentIntentRequest] = {}
        self.unavailable = False  # True: the next calls raise Unavailable
        self._serial = 0

    def _next(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}_mem_{self._serial}"

    @property
    def test_mode(self) -> bool:
        return True

    async def create_customer(self, member: UserId, email: str) -> str:
        customer = self._next("cus")
        self.customers[customer] = member
        self.calls.append(("create_customer", str(member), email))
        return customer

    async def delete_customer(self, customer_id: str) -> bool:
        self.calls.append(("delete_customer", customer_id))
        return self.customers.pop(customer_id, None) is not None

    async def create_subscription(
        self, customer_id: str, tier: Tier, payment_method_id: str, *, idempotency_key: str
    ) -> GatewaySubscription:
        self.calls.append(("create_subscription", customer_id, tier.value, idempotency_key))
        needs_action = payment_method_id == "pm_card_threeDSecureRequired"
        created = GatewaySubscription(
            id=self._next("sub"),
            customer_id=customer_id,
            status=GatewayStatus.INCOMPLETE if needs_action else GatewayStatus.ACTIVE,
            tier=tier,
            current_period_end=self._clock.now() + timedelta(days=30),
            cancel_at_period_end=False,
            client_secret="pi_secret" if needs_action else None,
        )
        self.subscriptions[created.id] = created
        return created

    async def change_tier(self, subscription_id: str, tier: Tier, *, prorate: bool) -> None:
        self.calls.append(("change_tier", subscription_id, tier.value, str(prorate)))
        self.subscriptions[subscription_id] = replace(
            self.subscriptions[subscription_id], tier=tier
        )

    async def cancel_at_period_end(self, subscription_id: str) -> None:
        self.calls.append(("cancel_at_period_end", subscription_id))
        found = self.subscriptions[subscription_id]
        self.subscriptions[subscription_id] = replace(found, cancel_at_period_end=True)

    async def resume(self, subscription_id: str) -> None:
        self.calls.append(("resume", subscription_id))
        found = self.subscriptions[subscription_id]
        self.subscriptions[subscription_id] = replace(found, cancel_at_period_end=False)

    async def checkout_url(self, request: CheckoutRequest) -> str:
        self.calls.append(("checkout", request.customer_id, request.tier.value))
        return f"https://checkout.test/{self._next('cs')}"

    async def billing_portal_url(self, customer_id: str, return_url: str) -> str:
        self.calls.append(("portal", customer_id, return_url))
        return f"https://portal.test/{customer_id}"

    async def retrieve_subscription(self, subscription_id: str) -> GatewaySubscription | None:
        return self.subscriptions.get(subscription_id)

    async def create_payment_intent(self, request: PaymentIntentRequest) -> GatewayPaymentIntent:
        """``pm_card_chargeDeclined`` fails, ``pm_card_threeDSecureRequired`` needs
        action, ``pm_unknown`` is refused, no method waits for the client; any other
        method succeeds."""
        if self.unavailable:
            raise Unavailable("The payment provider cannot be reached.")
        if request.payment_method_id == "pm_unknown":
            raise ValidationFailed.single(
                "payment_method_id", "No such payment method.", "invalid_payment_method"
            )
        self.calls.append(("create_payment_intent", request.customer_id, request.idempotency_key))
        for identifier, known in self.intents.items():
            if known.idempotency_key == request.idempotency_key:
                return GatewayPaymentIntent(id=identifier, status=PurchaseStatus.PENDING)
        identifier = self._next("pi")
        self.intents[identifier] = request
        method = request.payment_method_id
        if method is None:
            return GatewayPaymentIntent(identifier, PurchaseStatus.PENDING, f"{identifier}_secret")
        if method == "pm_card_threeDSecureRequired":
            return GatewayPaymentIntent(
                identifier, PurchaseStatus.REQUIRES_ACTION, f"{identifier}_secret"
            )
        if method == "pm_card_chargeDeclined":
            return GatewayPaymentIntent(identifier, PurchaseStatus.FAILED)
        return GatewayPaymentIntent(identifier, PurchaseStatus.SUCCEEDED)
