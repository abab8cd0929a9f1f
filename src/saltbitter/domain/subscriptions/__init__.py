"""Subscriptions: tiers as configuration, entitlements, money, and the lifecycle.

One-off purchases and spending safeguards live in ``purchases``.
Pure and standard-library only. No pay-to-win: no entitlement buys visibility.
"""

from __future__ import annotations

from .catalog import DEFAULT_CATALOG, Catalog, Entitlements, TierPlan, entitlements_for, tier_rank
from .lifecycle import DEFAULT_GRACE_DAYS, Subscription, SubscriptionEvent, SubscriptionState
from .money import Money
from .purchases import (
    COOLING_OFF,
    DEFAULT_ITEM_CATALOG,
    MAX_QUANTITY,
    SPENDING_THRESHOLDS_CENTS,
    ItemCatalog,
    ItemPrice,
    PurchaseItem,
    PurchaseStatus,
    SpendingCap,
    SpendingNotices,
    month_of,
    month_start,
    would_pass_cap,
)

__all__ = [
    "COOLING_OFF",
    "DEFAULT_CATALOG",
    "DEFAULT_GRACE_DAYS",
    "DEFAULT_ITEM_CATALOG",
    "MAX_QUANTITY",
    "SPENDING_THRESHOLDS_CENTS",
    "Catalog",
    "Entitlements",
    "ItemCatalog",
    "ItemPrice",
    "Money",
    "PurchaseItem",
    "PurchaseStatus",
    "SpendingCap",
    "SpendingNotices",
    "Subscription",
    "SubscriptionEvent",
    "SubscriptionState",
    "TierPlan",
    "entitlements_for",
    "month_of",
    "month_start",
    "tier_rank",
    "would_pass_cap",
]
