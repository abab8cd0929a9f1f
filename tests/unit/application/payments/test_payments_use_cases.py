"""Payments use cases through the production container with fakes (FakeWorld)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.payments.reconcile import ReconcileSubscriptions
from saltbitter.application.payments.subscriptions import (
    CancelSubscription,
    ChangeTier,
    ResumeSubscription,
    ShowSubscription,
    StartCheckout,
    SubscribeWithPaymentMethod,
)
from saltbitter.application.payments.webhooks import HandleProviderEvent, Outcome
from saltbitter.application.ports.payments import (
    GatewayStatus,
    GatewaySubscription,
    ProviderEvent,
)
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, ValidationFailed
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.domain.subscriptions import SubscriptionState
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_payments import PaymentsState
from support.container import FakeWorld


def _member(world: FakeWorld) -> Principal:
    user = a_user()
    world.database[AccountsState].users[user.id] = user
    return Principal(
        user_id=user.id,
        session_id=SessionId(uuid4()),
        roles=frozenset({Role.MEMBER}),
        tier=Tier.FREE,
        email_verified=True,
    )


def _tier(world: FakeWorld, principal: Principal) -> Tier:
    return world.database[AccountsState].users[principal.user_id].tier


async def _customer(world: FakeWorld, principal: Principal) -> str:
    await (await world.get(StartCheckout))(principal, Tier.PREMIUM)
    return next(c for c, m in world.payments.customers.items() if m == principal.user_id)


def _snapshot(customer: str, sub: str, world: FakeWorld, **changes: object) -> GatewaySubscription:
    base = GatewaySubscription(
        id=sub,
        customer_id=customer,
        status=GatewayStatus.ACTIVE,
        tier=Tier.PREMIUM,
        current_period_end=world.clock.now() + timedelta(days=30),
        cancel_at_period_end=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _event(kind: str, snapshot: GatewaySubscription, at: datetime) -> ProviderEvent:
    return ProviderEvent(
        id=f"evt_{uuid4().hex}",
        type=kind,
        created=at,
        customer_id=snapshot.customer_id,
        subscription_id=snapshot.id,
        subscription=snapshot,
    )


async def test_subscribing_with_a_payment_method_gives_the_tier_and_one_welcome_mail() -> None:
    world = FakeWorld()
    me = _member(world)
    started = await (await world.get(SubscribeWithPaymentMethod))(me, Tier.PREMIUM, "pm_card")
    assert started.status == "active"
    assert _tier(world, me) is Tier.PREMIUM
    await world.deliver_jobs()
    assert [m.subject for m in world.mailer.sent] == ["Welcome to SaltBitter Premium"]
    with pytest.raises(Conflict):
        await (await world.get(SubscribeWithPaymentMethod))(me, Tier.ELITE, "pm_card")


async def test_three_d_secure_answers_the_client_secret_and_waits() -> None:
    world = FakeWorld()
    me = _member(world)
    subscribe = await world.get(SubscribeWithPaymentMethod)
    started = await subscribe(me, Tier.ELITE, "pm_card_threeDSecureRequired")
    assert (started.status, started.client_secret) == ("incomplete", "pi_secret")
    assert _tier(world, me) is Tier.FREE


async def test_free_is_not_a_checkout_tier() -> None:
    world = FakeWorld()
    with pytest.raises(ValidationFailed):
        await (await world.get(StartCheckout))(_member(world), Tier.FREE)


async def test_one_event_delivered_five_times_is_applied_once() -> None:
    world = FakeWorld()
    me = _member(world)
    customer = await _customer(world, me)
    event = _event("invoice.paid", _snapshot(customer, "sub_1", world), world.clock.now())
    outcomes = [await (await world.get(HandleProviderEvent))(event) for _ in range(5)]
    assert outcomes == [Outcome.APPLIED] + [Outcome.DUPLICATE] * 4
    assert len(world.database[PaymentsState].webhook_events) == 1
    await world.deliver_jobs()
    assert len(world.mailer.sent) == 1


async def test_updated_before_created_keeps_the_later_state() -> None:
    world = FakeWorld()
    me = _member(world)
    customer = await _customer(world, me)
    now = world.clock.now()
    created = _event("customer.subscription.created", _snapshot(customer, "sub_1", world), now)
    updated = _event(
        "customer.subscription.updated",
        _snapshot(customer, "sub_1", world, cancel_at_period_end=True, tier=Tier.ELITE),
        now + timedelta(seconds=5),
    )
    handle = await world.get(HandleProviderEvent)
    assert await handle(updated) is Outcome.APPLIED
    assert await (await world.get(HandleProviderEvent))(created) is Outcome.STALE
    view = await (await world.get(ShowSubscription))(me)
    assert (view.state, view.tier) == ("canceling", "elite")


async def test_a_deleted_subscription_never_comes_back() -> None:
    world = FakeWorld()
    me = _member(world)
    customer = await _customer(world, me)
    now = world.clock.now()
    deleted = _event(
        "customer.subscription.deleted",
        _snapshot(customer, "sub_1", world, status=GatewayStatus.CANCELED),
        now,
    )
    late = _event("invoice.paid", _snapshot(customer, "sub_1", world), now + timedelta(seconds=1))
    assert await (await world.get(HandleProviderEvent))(deleted) is Outcome.APPLIED
    assert await (await world.get(HandleProviderEvent))(late) is Outcome.STALE
    assert _tier(world, me) is Tier.FREE


async def test_unknown_events_are_recorded_and_ignored() -> None:
    world = FakeWorld()
    event = ProviderEvent(id="evt_x", type="charge.refunded", created=world.clock.now())
    assert await (await world.get(HandleProviderEvent))(event) is Outcome.IGNORED
    assert "evt_x" in world.database[PaymentsState].webhook_events


async def test_failed_payment_keeps_the_tier_for_the_grace_period_then_free() -> None:
    world = FakeWorld()
    me = _member(world)
    await (await world.get(SubscribeWithPaymentMethod))(me, Tier.PREMIUM, "pm_card")
    record = world.database[PaymentsState].subscriptions
    sub_id = next(iter(record.values())).subscription_id
    assert sub_id is not None
    customer = next(iter(record.values())).customer_id
    world.clock.advance(timedelta(minutes=1))
    failed = _event(
        "invoice.payment_failed",
        _snapshot(customer, sub_id, world, status=GatewayStatus.PAST_DUE),
        world.clock.now(),
    )
    assert await (await world.get(HandleProviderEvent))(failed) is Outcome.APPLIED
    assert _tier(world, me) is Tier.PREMIUM
    world.payments.subscriptions[sub_id] = replace(
        world.payments.subscriptions[sub_id], status=GatewayStatus.PAST_DUE
    )
    world.clock.advance(timedelta(days=8))
    drifts = await (await world.get(ReconcileSubscriptions))()
    assert len(drifts) == 1
    assert _tier(world, me) is Tier.FREE
    await world.deliver_jobs()
    subjects = [m.subject for m in world.mailer.sent]
    assert subjects[-2:] == [
        "Your SaltBitter payment did not go through",
        "Your SaltBitter subscription has ended",
    ]


async def test_reconcile_dry_run_reports_drift_and_changes_nothing() -> None:
    world = FakeWorld()
    me = _member(world)
    await (await world.get(SubscribeWithPaymentMethod))(me, Tier.PREMIUM, "pm_card")
    world.payments.subscriptions.clear()  # the provider lost it (or it was deleted there)
    dry = await (await world.get(ReconcileSubscriptions))(dry_run=True)
    assert len(dry) == 1
    assert _tier(world, me) is Tier.PREMIUM
    seen: list[int] = []
    repaired = await (await world.get(ReconcileSubscriptions))(progress=seen.append)
    assert [d.describe() for d in repaired] == [d.describe() for d in dry]
    assert seen == [1]
    assert _tier(world, me) is Tier.FREE
    assert await (await world.get(ReconcileSubscriptions))() == []


async def test_upgrade_now_with_proration_and_downgrade_at_period_end() -> None:
    world = FakeWorld()
    me = _member(world)
    await (await world.get(SubscribeWithPaymentMethod))(me, Tier.PREMIUM, "pm_card")
    up = await (await world.get(ChangeTier))(me, Tier.ELITE)
    assert (up.tier, _tier(world, me)) == ("elite", Tier.ELITE)
    assert world.payments.calls[-1][0::3] == ("change_tier", "True")
    down = await (await world.get(ChangeTier))(me, Tier.PREMIUM)
    assert (down.tier, down.scheduled_tier) == ("elite", "premium")
    assert world.payments.calls[-1][0::3] == ("change_tier", "False")
    assert _tier(world, me) is Tier.ELITE


async def test_cancel_keeps_the_tier_until_period_end_and_resume_undoes_it() -> None:
    world = FakeWorld()
    me = _member(world)
    await (await world.get(SubscribeWithPaymentMethod))(me, Tier.PREMIUM, "pm_card")
    canceled = await (await world.get(CancelSubscription))(me)
    assert (canceled.state, canceled.effective_tier) == ("canceling", "premium")
    resumed = await (await world.get(ResumeSubscription))(me)
    assert resumed.state == SubscriptionState.ACTIVE.value
    await (await world.get(CancelSubscription))(me)
    world.clock.advance(timedelta(days=31))
    sub_id = next(iter(world.payments.subscriptions))
    world.payments.subscriptions[sub_id] = replace(
        world.payments.subscriptions[sub_id], current_period_end=world.clock.now()
    )
    await (await world.get(ReconcileSubscriptions))()
    assert _tier(world, me) is Tier.FREE
