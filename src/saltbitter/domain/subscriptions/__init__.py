"""Subscriptions: tiers as configuration, entitlements, money, and the lifecycle.

Pure and standard-library only. No pay-to-win: no entitlement buys visibility.
"""

from __future__ import annotations

from .catalog import DEFAULT_CATALOG, Catalog, Entitlements, TierPlan, entitlements_for, tier_rank
from .lifecycle import DEFAULT_GRACE_DAYS, Subscription, SubscriptionEvent, SubscriptionState
from .money import Money

__all__ = [
    "DEFAULT_CATALOG",
    "DEFAULT_GRACE_DAYS",
    "Catalog",
    "Entitlements",
    "Money",
    "Subscription",
    "SubscriptionEvent",
    "SubscriptionState",
    "TierPlan",
    "entitlements_for",
    "tier_rank",
]
