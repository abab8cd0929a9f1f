"""The law behind payment_intent events: however a purchase's events (and our own
call's answer) are ordered or repeated, the purchase ends in the highest status
reported, each event id counts once, and success takes effect exactly once."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.payments.events import PurchaseSucceeded
from saltbitter.application.payments.purchases import ShowSpendingCap, StartPurchase
from saltbitter.application.payments.webhooks import HandleProviderEvent
from saltbitter.application.ports.payments import PaymentIntentFact, ProviderEvent
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.domain.subscriptions import PurchaseItem, PurchaseStatus
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_payments import PaymentsState
from support.container import FakeWorld
from support.hypothesis_budget import budget

KINDS = {
    PurchaseStatus.SUCCEEDED: "payment_intent.succeeded",
    PurchaseStatus.FAILED: "payment_intent.payment_failed",
}
REPORTS = st.lists(st.sampled_from(list(KINDS)), min_size=1, max_size=5)
# Our own call's answer: no method (pending), 3-D Secure, declined, or paid.
METHODS = st.sampled_from(
    [None, "pm_card_threeDSecureRequired", "pm_card_chargeDeclined", "pm_card_visa"]
)
ANSWERS = {
    None: PurchaseStatus.PENDING,
    "pm_card_threeDSecureRequired": PurchaseStatus.REQUIRES_ACTION,
    "pm_card_chargeDeclined": PurchaseStatus.FAILED,
    "pm_card_visa": PurchaseStatus.SUCCEEDED,
}


async def _run(
    method: str | None, reports: list[PurchaseStatus], order: list[int]
) -> tuple[PurchaseStatus, int, int, int]:
    world = FakeWorld()
    user = a_user()
    world.database[AccountsState].users[user.id] = user
    me = Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)
    started = await (await world.get(StartPurchase))(
        me, PurchaseItem.SUPER_LIKE_PACK, 1, payment_method_id=method
    )
    intent = world.database[PaymentsState].purchases[started.purchase_id].intent_id
    assert intent is not None
    events = [
        ProviderEvent(
            id=f"evt_{number}",
            type=KINDS[status],
            created=world.clock.now(),
            payment_intent=PaymentIntentFact(intent, started.purchase_id, status),
        )
        for number, status in enumerate(reports)
    ]
    for index in order:
        await (await world.get(HandleProviderEvent))(events[index])
    purchase = world.database[PaymentsState].purchases[started.purchase_id]
    super_likes = (await (await world.get(ShowSpendingCap))(me)).super_likes
    return (
        purchase.status,
        super_likes,
        len(world.events(PurchaseSucceeded)),
        len(world.database[PaymentsState].webhook_events),
    )


@settings(max_examples=budget(200), deadline=None)
@given(METHODS, REPORTS, st.data())
def test_any_order_with_repeats_ends_in_the_highest_status_and_pays_once(
    method: str | None, reports: list[PurchaseStatus], data: st.DataObject
) -> None:
    order = data.draw(st.permutations(list(range(len(reports)))))
    repeats = data.draw(st.lists(st.integers(0, len(reports) - 1), max_size=5))
    status, super_likes, announced, recorded = asyncio.run(
        _run(method, reports, [*order, *repeats])
    )
    expected = PurchaseStatus.PENDING
    for reported in (ANSWERS[method], *reports):
        expected = expected.merge(reported)
    assert status is expected
    paid = expected is PurchaseStatus.SUCCEEDED
    assert (super_likes, announced) == ((5, 1) if paid else (0, 0))
    assert recorded == len(reports)
