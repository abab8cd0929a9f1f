"""Tiers as configuration: price and entitlements per tier (docs/product-rules.md 9).

No pay-to-win: there is deliberately no paid visibility boost, so no entitlement can
buy placement in anyone's daily set or discovery feed. Paid tiers see *more* (more
daily matches, who liked them, read receipts), never get *shown more*.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from saltbitter.domain.errors import DomainRuleViolated
from saltbitter.domain.shared import Tier

from .money import Money

__all__ = [
    "DEFAULT_CATALOG",
    "Catalog",
    "Entitlements",
    "TierPlan",
    "entitlements_for",
    "tier_rank",
]

_TIER_ORDER = (Tier.FREE, Tier.PREMIUM, Tier.ELITE)


def tier_rank(tier: Tier) -> int:
    """0 for Free, 1 for Premium, 2 for Elite: what "upgrade" and "downgrade" compare."""
    return _TIER_ORDER.index(tier)


@dataclass(frozen=True, slots=True)
class Entitlements:
    """What a tier allows per day or month. Quotas are counted by the application.

    There is intentionally no field for visibility boosts (docs/product-rules.md 1:
    nobody can pay to be shown more).
    """

    daily_matches: int
    discover_profiles_per_day: int
    see_who_liked_you: bool
    read_receipts: bool
    ai_practice_messages_per_day: int
    advanced_filters: bool
    free_event_tickets_per_month: int

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if type(value) is int and value < 0:
                raise DomainRuleViolated(f"{spec.name} cannot be negative.")


@dataclass(frozen=True, slots=True)
class TierPlan:
    tier: Tier
    monthly_price: Money
    entitlements: Entitlements

    def __post_init__(self) -> None:
        if self.tier is Tier.FREE and not self.monthly_price.is_zero():
            raise DomainRuleViolated("The free tier costs nothing.")
        if self.tier is not Tier.FREE and self.monthly_price.amount_minor <= 0:
            raise DomainRuleViolated("A paid tier needs a positive price.")


@dataclass(frozen=True, slots=True)
class Catalog:
    """Exactly one plan per tier, all priced in one currency."""

    plans: tuple[TierPlan, ...]

    def __post_init__(self) -> None:
        tiers = sorted((plan.tier for plan in self.plans), key=tier_rank)
        if tiers != list(_TIER_ORDER):
            raise DomainRuleViolated("A catalog needs exactly one plan for every tier.")
        if len({plan.monthly_price.currency for plan in self.plans}) != 1:
            raise DomainRuleViolated("All plans in a catalog use one currency.")

    def plan(self, tier: Tier) -> TierPlan:
        return next(plan for plan in self.plans if plan.tier is tier)

    def price(self, tier: Tier) -> Money:
        return self.plan(tier).monthly_price


DEFAULT_CATALOG = Catalog(
    plans=(
        TierPlan(
            tier=Tier.FREE,
            monthly_price=Money(0, "USD"),
            entitlements=Entitlements(
                daily_matches=10,
                # One finite page of 20 (docs/product-rules.md 8: finite pages, no infinite feed).
                discover_profiles_per_day=20,
                see_who_liked_you=False,
                read_receipts=False,
                ai_practice_messages_per_day=50,
                advanced_filters=False,
                free_event_tickets_per_month=0,
            ),
        ),
        TierPlan(
            tier=Tier.PREMIUM,
            monthly_price=Money(1999, "USD"),
            entitlements=Entitlements(
                daily_matches=25,
                discover_profiles_per_day=60,
                see_who_liked_you=True,
                read_receipts=True,
                ai_practice_messages_per_day=200,
                advanced_filters=True,
                free_event_tickets_per_month=1,
            ),
        ),
        TierPlan(
            tier=Tier.ELITE,
            monthly_price=Money(4999, "USD"),
            entitlements=Entitlements(
                daily_matches=50,
                discover_profiles_per_day=120,
                see_who_liked_you=True,
                read_receipts=True,
                ai_practice_messages_per_day=1000,
                advanced_filters=True,
                free_event_tickets_per_month=2,
            ),
        ),
    )
)
"""docs/product-rules.md 6 and 9: 10/25/50 daily matches, 50 AI practice messages a day
on Free, Premium 19.99 and Elite 49.99 USD a month, 1 and 2 free event tickets a month.
Discovery and the paid AI quotas are our judgment calls; change them here."""


def entitlements_for(tier: Tier, catalog: Catalog = DEFAULT_CATALOG) -> Entitlements:
    return catalog.plan(tier).entitlements
