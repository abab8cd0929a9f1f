"""Ports of the payments capability (issue 11): the payment provider, the local records
of subscriptions and webhook deliveries, and the member's tier as accounts stores it."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import (
    Money,
    PurchaseItem,
    PurchaseStatus,
    SpendingCap,
    SpendingNotices,
    SubscriptionState,
)

__all__ = [
    "CheckoutRequest",
    "GatewayPaymentIntent",
    "GatewayStatus",
    "GatewaySubscription",
    "MemberContacts",
    "MemberTiers",
    "PaymentGateway",
    "PaymentIntentFact",
    "PaymentIntentRequest",
    "ProviderEvent",
    "PurchaseAccount",
    "PurchaseAccounts",
    "PurchaseRecord",
    "PurchaseStore",
    "SubscriptionRecord",
    "SubscriptionStore",
    "WebhookLedger",
]


class GatewayStatus(StrEnum):
    """Stripe's subscription statuses (the ones the provider reports)."""

    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class GatewaySubscription:
    """A subscription as the provider holds it (a snapshot)."""

    id: str
    customer_id: str
    status: GatewayStatus
    tier: Tier | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    # Set while the first payment needs the member's confirmation (3-D Secure).
    client_secret: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentIntentFact:
    """What a payment_intent event says: the intent, the purchase it pays for (its
    ``purchase_id`` metadata) and its outcome."""

    intent_id: str
    purchase_id: UUID | None
    status: PurchaseStatus


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """A verified webhook event, read from the provider's format by its adapter.

    ``subscription`` is the subscription as the event reports it (for invoices: the
    subscription the invoice paid or failed for, with the invoice's period and price).
    """

    id: str
    type: str
    created: datetime
    customer_id: str | None = None
    member: UserId | None = None
    subscription_id: str | None = None
    subscription: GatewaySubscription | None = None
    payment_intent: PaymentIntentFact | None = None


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    customer_id: str
    member: UserId
    tier: Tier
    success_url: str
    cancel_url: str


@dataclass(frozen=True, slots=True)
class PaymentIntentRequest:
    """A one-off payment for a purchase. With ``payment_method_id`` the intent is
    confirmed at once; without, the client confirms it with the answer's client secret."""

    customer_id: str
    amount: Money
    purchase_id: UUID
    member: UserId
    item: PurchaseItem
    quantity: int
    event_id: str | None
    payment_method_id: str | None
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class GatewayPaymentIntent:
    """The provider's answer: ``id`` None when the provider refused before making one;
    ``client_secret`` while the member must still confirm (3-D Secure, or no method)."""

    id: str | None
    status: PurchaseStatus
    client_secret: str | None = None
    # The embedded stand-in's page that confirms a waiting payment (test mode only).
    test_confirm_url: str | None = None


class PaymentGateway(Protocol):
    """The payment provider (Stripe, or the embedded test-mode stand-in). Writes carry an
    idempotency key so that a retried call never charges twice."""

    @property
    @abstractmethod
    def test_mode(self) -> bool:
        """True for the local stand-in and Stripe test keys: no real money moves."""

    @abstractmethod
    async def create_customer(self, member: UserId, email: str) -> str: ...

    @abstractmethod
    async def create_subscription(
        self, customer_id: str, tier: Tier, payment_method_id: str, *, idempotency_key: str
    ) -> GatewaySubscription: ...

    @abstractmethod
    async def change_tier(self, subscription_id: str, tier: Tier, *, prorate: bool) -> None:
        """Upgrade with proration now, or (prorate=False) bill the new price from the
        next period on."""

    @abstractmethod
    async def cancel_at_period_end(self, subscription_id: str) -> None: ...

    @abstractmethod
    async def resume(self, subscription_id: str) -> None: ...

    @abstractmethod
    async def checkout_url(self, request: CheckoutRequest) -> str: ...

    @abstractmethod
    async def billing_portal_url(self, customer_id: str, return_url: str) -> str: ...

    @abstractmethod
    async def delete_customer(self, customer_id: str) -> bool:
        """Delete the customer at the provider with their details and payment methods
        (which also cancels their subscriptions at once): the member's erasure. False when
        the provider no longer knows the customer, so deleting twice is harmless."""

    @abstractmethod
    async def retrieve_subscription(self, subscription_id: str) -> GatewaySubscription | None:
        """None when the provider does not know it (deleted, or another account's)."""

    @abstractmethod
    async def create_payment_intent(self, request: PaymentIntentRequest) -> GatewayPaymentIntent:
        """A declined card answers status ``failed`` (not an exception)."""


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """One member's subscription as stored here. ``observed_at`` is the provider's time
    of the newest fact applied (event ``created``); older facts never overwrite it."""

    member: UserId
    customer_id: str
    subscription_id: str | None
    state: SubscriptionState
    tier: Tier
    current_period_end: datetime | None
    grace_deadline: datetime | None
    scheduled_tier: Tier | None
    observed_at: datetime | None
    updated_at: datetime


class SubscriptionStore(Protocol):
    @abstractmethod
    async def for_member(self, member: UserId) -> SubscriptionRecord | None: ...

    @abstractmethod
    async def for_customer(self, customer_id: str) -> SubscriptionRecord | None: ...

    @abstractmethod
    async def for_update(self, member: UserId) -> SubscriptionRecord | None:
        """Read inside a transaction, locking the row on PostgreSQL."""

    @abstractmethod
    async def save(self, record: SubscriptionRecord) -> None:
        """Insert or replace the member's record."""

    @abstractmethod
    async def linked(self, after: UserId | None, limit: int) -> Sequence[SubscriptionRecord]:
        """Records with a provider subscription, in member order after ``after``."""


class WebhookLedger(Protocol):
    @abstractmethod
    async def record(self, event_id: str, event_type: str, received_at: datetime) -> bool:
        """Store the event id in the current transaction; False when it was already
        stored (a duplicate delivery: its effect is applied already)."""


class MemberTiers(Protocol):
    """The tier a member's requests are served with (accounts' ``users.tier``)."""

    @abstractmethod
    async def set_tier(self, member: UserId, tier: Tier) -> None: ...

    @abstractmethod
    async def current_tier(self, member: UserId) -> Tier | None:
        """None once the account is gone."""


class MemberContacts(Protocol):
    @abstractmethod
    async def email_of(self, member: UserId) -> str | None:
        """The member's address, None once the account is gone."""


@dataclass(frozen=True, slots=True)
class PurchaseRecord:
    """One purchase as stored here (``purchases``); ``member`` None once anonymised."""

    id: UUID
    member: UserId
    item: PurchaseItem
    quantity: int
    amount_cents: int
    currency: str
    status: PurchaseStatus
    intent_id: str | None
    event_id: str | None
    created_at: datetime
    updated_at: datetime


class PurchaseStore(Protocol):
    @abstractmethod
    async def add(self, record: PurchaseRecord) -> None: ...

    @abstractmethod
    async def save(self, record: PurchaseRecord) -> None:
        """Store the record's status, intent id and ``updated_at``."""

    @abstractmethod
    async def get(self, purchase_id: UUID) -> PurchaseRecord | None: ...

    @abstractmethod
    async def by_intent(self, intent_id: str) -> PurchaseRecord | None: ...

    @abstractmethod
    async def page(
        self, member: UserId, before: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[PurchaseRecord]:
        """The member's purchases, newest first, older than ``before`` (created, id)."""

    @abstractmethod
    async def total_cents(
        self,
        member: UserId,
        since: datetime,
        until: datetime,
        statuses: frozenset[PurchaseStatus],
    ) -> int:
        """The sum of the member's purchases created in [since, until) with a status in
        ``statuses``."""

    @abstractmethod
    async def succeeded_ticket(self, member: UserId, event_id: str) -> PurchaseRecord | None:
        """The member's succeeded event-ticket purchase for ``event_id`` (for events)."""


@dataclass(frozen=True, slots=True)
class PurchaseAccount:
    """The member's spending safeguards and super-like balance (``purchase_accounts``)."""

    member: UserId
    cap: SpendingCap
    notices: SpendingNotices
    super_likes: int
    updated_at: datetime


class PurchaseAccounts(Protocol):
    @abstractmethod
    async def get(self, member: UserId) -> PurchaseAccount | None: ...

    @abstractmethod
    async def lock(self, member: UserId, now: datetime) -> PurchaseAccount:
        """The member's account inside a transaction, created when missing and locked
        (PostgreSQL: ``FOR UPDATE``) so the member's purchases and payment events are
        applied one at a time."""

    @abstractmethod
    async def save(self, account: PurchaseAccount) -> None: ...
