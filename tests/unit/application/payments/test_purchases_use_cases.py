"""Purchases and spending safeguards through the production container with fakes."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from saltbitter.application.payments.events import PurchaseSucceeded, SpendingThresholdReached
from saltbitter.application.payments.purchases import (
    ListPurchases,
    SetSpendingCap,
    ShowSpendingCap,
    StartPurchase,
)
from saltbitter.application.payments.webhooks import HandleProviderEvent, Outcome
from saltbitter.application.ports.payments import PaymentIntentFact, ProviderEvent
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, DomainRuleViolated, Unavailable, ValidationFailed
from saltbitter.domain.subscriptions import PurchaseItem, PurchaseStatus
from saltbitter.testing.fakes_payments import PaymentsState
from support.container import FakeWorld

CARD = "pm_card_visa"
TICKET, COACHING, SUPER_LIKES = (
    PurchaseItem.EVENT_TICKET,
    PurchaseItem.COACHING_SESSION,
    PurchaseItem.SUPER_LIKE_PACK,
)


async def _buy(
    world: FakeWorld,
    me: Principal,
    item: PurchaseItem = COACHING,
    quantity: int = 1,
    method: str | None = CARD,
    event_id: str | None = None,
) -> tuple[UUID, str, str | None]:
    started = await (await world.get(StartPurchase))(
        me, item, quantity, payment_method_id=method, event_id=event_id
    )
    return started.purchase_id, started.status, started.client_secret


def _intent_of(world: FakeWorld, purchase_id: UUID) -> str:
    found = world.database[PaymentsState].purchases[purchase_id].intent_id
    assert found is not None
    return found


def _event(
    kind: str, intent: str, purchase_id: UUID | None, status: PurchaseStatus
) -> ProviderEvent:
    return ProviderEvent(
        id=f"evt_{uuid4().hex}",
        type=kind,
        created=FakeWorld().clock.now(),
        payment_intent=PaymentIntentFact(intent, purchase_id, status),
    )


def _succeeded(intent: str, purchase_id: UUID | None) -> ProviderEvent:
    return _event("payment_intent.succeeded", intent, purchase_id, PurchaseStatus.SUCCEEDED)


def _failed(intent: str, purchase_id: UUID | None) -> ProviderEvent:
    return _event("payment_intent.payment_failed", intent, purchase_id, PurchaseStatus.FAILED)


async def test_a_paid_purchase_is_in_the_history_and_announced_once() -> None:
    world = FakeWorld()
    me = await world.member()
    purchase, status, secret = await _buy(world, me, TICKET, 2, event_id="evt-42")
    assert (status, secret) == ("succeeded", None)
    page = await (await world.get(ListPurchases))(me)
    assert [(p.item, p.quantity, p.amount_cents, p.status, p.event_id) for p in page.items] == [
        ("event_ticket", 2, 3000, "succeeded", "evt-42")
    ]
    assert [(e.purchase_id, e.event_id) for e in world.events(PurchaseSucceeded)] == [
        (purchase, "evt-42")
    ]
    request = next(iter(world.payments.intents.values()))
    assert request.idempotency_key == f"purchase-{purchase}"
    assert request.amount.amount_minor == 3000


async def test_three_d_secure_answers_the_client_secret_and_the_webhook_completes_it() -> None:
    world = FakeWorld()
    me = await world.member()
    purchase, status, secret = await _buy(world, me, SUPER_LIKES, 2, "pm_card_threeDSecureRequired")
    assert status == "requires_action"
    assert secret is not None
    assert secret.endswith("_secret")
    assert (await (await world.get(ShowSpendingCap))(me)).super_likes == 0
    handle = await world.get(HandleProviderEvent)
    event = _succeeded(_intent_of(world, purchase), purchase)
    outcomes = [await (await world.get(HandleProviderEvent))(event) for _ in range(5)]
    assert outcomes == [Outcome.APPLIED] + [Outcome.DUPLICATE] * 4
    assert (await (await world.get(ShowSpendingCap))(me)).super_likes == 10
    # A late failure (another event id) never undoes the success, nor credits again.
    assert await handle(_failed(_intent_of(world, purchase), purchase)) is Outcome.STALE
    page = await (await world.get(ListPurchases))(me)
    assert page.items[0].status == "succeeded"
    assert (await (await world.get(ShowSpendingCap))(me)).super_likes == 10
    assert len(world.events(PurchaseSucceeded)) == 1


async def test_without_a_method_the_client_confirms_and_failed_then_succeeded_ends_paid() -> None:
    world = FakeWorld()
    me = await world.member()
    purchase, status, secret = await _buy(world, me, method=None)
    assert status == "pending"
    assert secret is not None
    intent = _intent_of(world, purchase)
    handle = await world.get(HandleProviderEvent)
    assert await handle(_failed(intent, purchase)) is Outcome.APPLIED
    assert await (await world.get(HandleProviderEvent))(_succeeded(intent, None)) is Outcome.APPLIED
    assert (await (await world.get(ListPurchases))(me)).items[0].status == "succeeded"


async def test_a_declined_card_fails_and_does_not_count_toward_the_cap() -> None:
    world = FakeWorld()
    me = await world.member()
    await (await world.get(SetSpendingCap))(me, 2900)
    _, status, _ = await _buy(world, me, method="pm_card_chargeDeclined")
    assert status == "failed"
    _, status, _ = await _buy(world, me)
    assert status == "succeeded"
    assert world.events(PurchaseSucceeded)[0].amount_cents == 2900


async def test_an_unreachable_provider_or_a_refused_method_fails_the_purchase() -> None:
    world = FakeWorld()
    me = await world.member()
    await (await world.get(SetSpendingCap))(me, 2900)
    world.payments.unavailable = True
    with pytest.raises(Unavailable):
        await _buy(world, me)
    world.payments.unavailable = False
    with pytest.raises(ValidationFailed):
        await _buy(world, me, method="pm_unknown")
    assert [p.status for p in (await (await world.get(ListPurchases))(me)).items] == [
        "failed",
        "failed",
    ]
    assert (await _buy(world, me))[1] == "succeeded"


async def test_a_purchase_that_would_pass_the_cap_is_refused() -> None:
    world = FakeWorld()
    me = await world.member()
    view = await (await world.get(SetSpendingCap))(me, 5000)
    assert (view.monthly_cents, view.pending, view.remaining_cents) == (5000, None, 5000)
    await _buy(world, me)  # 29.00
    with pytest.raises(Conflict) as refused:
        await _buy(world, me)  # 58.00 > 50.00
    assert refused.value.code == "spending_cap_reached"
    assert len(world.database[PaymentsState].purchases) == 1
    await _buy(world, me, TICKET)  # 44.00 fits
    view = await (await world.get(ShowSpendingCap))(me)
    assert (view.spent_this_month_cents, view.remaining_cents) == (4400, 600)


async def test_a_cap_of_zero_blocks_every_purchase() -> None:
    world = FakeWorld()
    me = await world.member()
    await (await world.get(SetSpendingCap))(me, 0)
    with pytest.raises(Conflict):
        await _buy(world, me, SUPER_LIKES)


async def test_lowering_applies_at_once_and_raising_waits_a_day() -> None:
    world = FakeWorld()
    me = await world.member()
    set_cap = await world.get(SetSpendingCap)
    await set_cap(me, 10_000)
    raised = await (await world.get(SetSpendingCap))(me, None)
    assert raised.monthly_cents == 10_000
    assert raised.pending is not None
    assert raised.pending.monthly_cents is None
    assert raised.pending.applies_at == world.clock.now() + timedelta(hours=24)
    await (await world.get(SetSpendingCap))(me, 3000)  # lower: now, and drops the raise
    shown = await (await world.get(ShowSpendingCap))(me)
    assert (shown.monthly_cents, shown.pending) == (3000, None)
    await (await world.get(SetSpendingCap))(me, 6000)
    with pytest.raises(Conflict):
        await _buy(world, me, COACHING, 2)  # 58.00 > 30.00 still in force
    world.clock.advance(timedelta(hours=24))
    shown = await (await world.get(ShowSpendingCap))(me)
    assert (shown.monthly_cents, shown.pending) == (6000, None)
    await _buy(world, me, COACHING, 2)


async def test_spending_notices_at_50_and_100_dollars_once_a_month() -> None:
    world = FakeWorld()
    me = await world.member()
    for _ in range(5):  # 5 x 29.00: 29, 58 (50 reached), 87, 116 (100 reached), 145
        await _buy(world, me)
    notices = world.events(SpendingThresholdReached)
    assert [(n.threshold_cents, n.month) for n in notices] == [
        (5000, "2026-01"),
        (10000, "2026-01"),
    ]
    await world.deliver_jobs()
    subjects = [m.subject for m in world.mailer.sent if "spent" in m.subject]
    assert subjects == [
        "You have spent 50 USD on SaltBitter this month",
        "You have spent 100 USD on SaltBitter this month",
    ]
    world.clock.advance(timedelta(days=20))  # February
    await _buy(world, me, COACHING, 2)
    assert [n.month for n in world.events(SpendingThresholdReached)][-1] == "2026-02"
    assert len(world.events(SpendingThresholdReached)) == 3


async def test_history_is_paged_and_only_the_callers() -> None:
    world = FakeWorld()
    me = await world.member()
    other = await world.member("bo@example.org")
    for _ in range(23):
        await _buy(world, me, SUPER_LIKES)
        world.clock.advance(timedelta(seconds=1))
    await _buy(world, other, TICKET)
    first = await (await world.get(ListPurchases))(me)
    assert len(first.items) == 20
    assert first.next_cursor is not None
    second = await (await world.get(ListPurchases))(me, first.next_cursor)
    assert len(second.items) == 3
    assert second.next_cursor is None
    ids = [p.id for p in (*first.items, *second.items)]
    assert len(set(ids)) == 23
    assert all(p.item == "super_like_pack" for p in (*first.items, *second.items))
    assert [p.item for p in (await (await world.get(ListPurchases))(other)).items] == [
        "event_ticket"
    ]
    with pytest.raises(ValidationFailed):
        await (await world.get(ListPurchases))(me, "not-a-cursor")


async def test_another_members_payment_event_cannot_touch_my_purchase() -> None:
    world = FakeWorld()
    me = await world.member()
    purchase, _, _ = await _buy(world, me, method=None)
    # An event about an unknown intent that names my purchase is ignored.
    outcome = await (await world.get(HandleProviderEvent))(_succeeded("pi_someone_else", purchase))
    assert outcome is Outcome.IGNORED
    assert (await (await world.get(ListPurchases))(me)).items[0].status == "pending"


async def test_bad_requests_are_refused() -> None:
    world = FakeWorld()
    me = await world.member()
    with pytest.raises(ValidationFailed):
        await _buy(world, me, COACHING, event_id="evt-1")
    with pytest.raises(DomainRuleViolated):
        await _buy(world, me, TICKET, 11)
    with pytest.raises(DomainRuleViolated):
        await (await world.get(SetSpendingCap))(me, -5)
