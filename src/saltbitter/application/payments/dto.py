"""What the payments use cases answer (encoded at the edge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "CheckoutStarted",
    "PlanView",
    "PlansView",
    "PortalLink",
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
