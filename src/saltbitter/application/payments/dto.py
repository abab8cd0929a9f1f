"""What the payments use cases answer (encoded at the edge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

__all__ = [
    "CheckoutStarted",
    "PendingCapView",
    "PlanView",
    "PlansView",
    "PortalLink",
    "PurchasePage",
    "PurchaseStarted",
    "PurchaseView",
    "SpendingCapView",
    "SubscriptionStarted",
    "SubscriptionView",
]


@dataclass(frozen=True, slots=True)
class PlanView:
    tier: str
    monthly_price_cents: int
    currency: str
    entitlements: dict[str, int | bool]


@dataclass(frozen=True, slots=True)
class PlansView:
    plans: list[PlanView]
    test_mode: bool


@dataclass(frozen=True, slots=True)
class CheckoutStarted:
    checkout_url: str
    test_mode: bool


@dataclass(frozen=True, slots=True)
class SubscriptionStarted:
    status: str
    client_secret: str | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    state: str
    tier: str
    effective_tier: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    grace_deadline: datetime | None
    scheduled_tier: str | None
    test_mode: bool


@dataclass(frozen=True, slots=True)
class PortalLink:
    url: str


@dataclass(frozen=True, slots=True)
class PurchaseStarted:
    purchase_id: UUID
    status: str
    amount_cents: int
    currency: str
    test_mode: bool
    # Set while the member must confirm the payment (3-D Secure, or no payment method).
    client_secret: str | None = None
    # Test mode only: the stand-in's page where that confirmation is made.
    test_confirm_url: str | None = None


@dataclass(frozen=True, slots=True)
class PurchaseView:
    id: UUID
    item: str
    quantity: int
    amount_cents: int
    currency: str
    status: str
    event_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PurchasePage:
    items: list[PurchaseView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class PendingCapView:
    """A raise or removal (``monthly_cents`` None) waiting for its cooling-off."""

    monthly_cents: int | None
    applies_at: datetime


@dataclass(frozen=True, slots=True)
class SpendingCapView:
    monthly_cents: int | None
    pending: PendingCapView | None
    month: str
    spent_this_month_cents: int
    remaining_cents: int | None
    super_likes: int
