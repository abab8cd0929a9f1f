"""What the payments API answers (msgspec structs)."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = [
    "CheckoutStarted",
    "PlanView",
    "PlansView",
    "PortalLink",
    "SubscriptionStarted",
    "SubscriptionView",
]


class PlanView(msgspec.Struct, frozen=True):
    tier: str
    monthly_price_cents: int
    currency: str
    entitlements: dict[str, int | bool]


class PlansView(msgspec.Struct, frozen=True):
    plans: list[PlanView]
    test_mode: bool


class CheckoutStarted(msgspec.Struct, frozen=True):
    checkout_url: str
    test_mode: bool


class SubscriptionStarted(msgspec.Struct, frozen=True, omit_defaults=True):
    status: str
    client_secret: str | None = None


class SubscriptionView(msgspec.Struct, frozen=True):
    state: str
    tier: str
    effective_tier: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    grace_deadline: datetime | None
    scheduled_tier: str | None
    test_mode: bool


class PortalLink(msgspec.Struct, frozen=True):
    url: str
