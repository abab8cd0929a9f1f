"""Money arithmetic laws, the tier price list and the entitlements table."""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.errors import DomainRuleViolated
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import (
    DEFAULT_CATALOG,
    Catalog,
    Entitlements,
    Money,
    TierPlan,
    entitlements_for,
    tier_rank,
)
from saltbitter.testing.strategies.subscriptions import money

# --- Money -------------------------------------------------------------------------


@given(money(), money(), money())
def test_addition_is_associative_commutative_and_undone_by_subtraction(
    a: Money, b: Money, c: Money
) -> None:
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert (a + b) - b == a
    assert a - a == Money.zero("USD")
    negated = -a
    assert -negated == a
    assert (a + negated).is_zero()


@given(money(), money(), st.integers(-50, 50))
def test_multiplication_distributes_and_ordering_follows_the_amount(
    a: Money, b: Money, factor: int
) -> None:
    assert (a + b) * factor == a * factor + b * factor
    assert factor * a == a * factor
    assert (a < b) == (a.amount_minor < b.amount_minor)
    assert (a <= b) == (not a > b)
    assert (a >= b) == (b <= a)


@given(money("USD"), money("EUR"))
def test_different_currencies_never_mix(usd: Money, eur: Money) -> None:
    for operation in (
        lambda: usd + eur,
        lambda: usd - eur,
        lambda: usd < eur,
        lambda: usd >= eur,
    ):
        with pytest.raises(DomainRuleViolated) as caught:
            operation()
        assert caught.value.code == "currency_mismatch"


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(19.99, "USD"), (True, "USD"), (100, "usd"), (100, "US"), (100, "USDX")],
)
def test_money_refuses_floats_bools_and_bad_currency_codes(amount: object, currency: str) -> None:
    with pytest.raises(DomainRuleViolated) as caught:
        Money(amount, currency)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_money"


def test_money_cannot_be_multiplied_by_a_fraction() -> None:
    with pytest.raises(DomainRuleViolated):
        Money(100, "USD") * 1.5  # type: ignore[operator]


@pytest.mark.parametrize(
    ("money_value", "text"),
    [
        (Money(1999, "USD"), "19.99 USD"),
        (Money(5, "USD"), "0.05 USD"),
        (Money(-250, "EUR"), "-2.50 EUR"),
        (Money(500, "JPY"), "500 JPY"),
        (Money(1234, "KWD"), "1.234 KWD"),
    ],
)
def test_money_prints_exact_decimals_in_its_minor_unit(money_value: Money, text: str) -> None:
    assert str(money_value) == text


# --- catalog -----------------------------------------------------------------------


def test_prices_match_the_product_rules() -> None:
    assert DEFAULT_CATALOG.price(Tier.FREE) == Money(0, "USD")
    assert DEFAULT_CATALOG.price(Tier.PREMIUM) == Money(1999, "USD")
    assert DEFAULT_CATALOG.price(Tier.ELITE) == Money(4999, "USD")


@pytest.mark.parametrize(
    ("tier", "daily", "liked", "receipts", "ai", "filters", "tickets"),
    [
        (Tier.FREE, 10, False, False, 50, False, 0),
        (Tier.PREMIUM, 25, True, True, 200, True, 1),
        (Tier.ELITE, 50, True, True, 1000, True, 2),
    ],
)
def test_entitlements_table(
    tier: Tier,
    daily: int,
    liked: bool,
    receipts: bool,
    ai: int,
    filters: bool,
    tickets: int,
) -> None:
    entitlements = entitlements_for(tier)
    assert entitlements.daily_matches == daily
    assert entitlements.see_who_liked_you is liked
    assert entitlements.read_receipts is receipts
    assert entitlements.ai_practice_messages_per_day == ai
    assert entitlements.advanced_filters is filters
    assert entitlements.free_event_tickets_per_month == tickets


@pytest.mark.parametrize(
    ("lower", "higher"), [(Tier.FREE, Tier.PREMIUM), (Tier.PREMIUM, Tier.ELITE)]
)
def test_a_higher_tier_never_loses_an_entitlement(lower: Tier, higher: Tier) -> None:
    assert tier_rank(lower) < tier_rank(higher)
    low, high = entitlements_for(lower), entitlements_for(higher)
    for spec in fields(Entitlements):
        assert getattr(low, spec.name) <= getattr(high, spec.name), spec.name
    assert DEFAULT_CATALOG.price(lower) < DEFAULT_CATALOG.price(higher)


def test_no_entitlement_buys_visibility() -> None:
    names = {spec.name for spec in fields(Entitlements)}
    assert not {name for name in names if "boost" in name or "visib" in name or "priority" in name}


def test_entitlements_refuse_negative_quotas() -> None:
    free = entitlements_for(Tier.FREE)
    with pytest.raises(DomainRuleViolated):
        Entitlements(
            daily_matches=-1,
            discover_profiles_per_day=free.discover_profiles_per_day,
            see_who_liked_you=False,
            read_receipts=False,
            ai_practice_messages_per_day=0,
            advanced_filters=False,
            free_event_tickets_per_month=0,
        )


def test_a_catalog_needs_every_tier_once_in_one_currency() -> None:
    free, premium, elite = (DEFAULT_CATALOG.plan(tier) for tier in Tier)
    with pytest.raises(DomainRuleViolated):
        Catalog(plans=(free, premium))
    with pytest.raises(DomainRuleViolated):
        Catalog(plans=(free, premium, premium))
    euro_elite = TierPlan(Tier.ELITE, Money(4999, "EUR"), elite.entitlements)
    with pytest.raises(DomainRuleViolated):
        Catalog(plans=(free, premium, euro_elite))
    custom = Catalog(plans=(elite, free, premium))
    assert entitlements_for(Tier.ELITE, custom) == elite.entitlements


def test_plans_price_free_at_zero_and_paid_tiers_above_zero() -> None:
    entitlements = entitlements_for(Tier.FREE)
    with pytest.raises(DomainRuleViolated):
        TierPlan(Tier.FREE, Money(100, "USD"), entitlements)
    with pytest.raises(DomainRuleViolated):
        TierPlan(Tier.PREMIUM, Money(0, "USD"), entitlements)
