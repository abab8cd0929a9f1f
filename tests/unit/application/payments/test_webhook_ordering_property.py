"""The law behind the webhook handler: however the provider's events about one
subscription are ordered or repeated, the member ends in the state of the newest one,
and each event id counts once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.payments.subscriptions import StartCheckout
from saltbitter.application.payments.webhooks import HandleProviderEvent, Outcome
from saltbitter.application.ports.payments import (
    GatewayStatus,
    GatewaySubscription,
    ProviderEvent,
)
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_payments import PaymentsState
from support.container import FakeWorld
from support.hypothesis_budget import budget

# A subscription's life: any changes while alive, then possibly its end (terminal).
ALIVE = st.tuples(
    st.sampled_from([GatewayStatus.ACTIVE, GatewayStatus.PAST_DUE]),
    st.sampled_from([Tier.PREMIUM, Tier.ELITE]),
    st.booleans(),
)
LIVES = st.tuples(st.lists(ALIVE, min_size=1, max_size=6), st.booleans())


def _expected(life: list[tuple[GatewayStatus, Tier, bool]], ended: bool) -> tuple[str, Tier]:
    if ended:
        return "canceled", Tier.FREE
    status, tier, canceling = life[-1]
    if status is GatewayStatus.PAST_DUE:
        return "past_due", tier
    return ("canceling" if canceling else "active"), tier


async def _run(
    life: list[tuple[GatewayStatus, Tier, bool]], ended: bool, order: list[int]
) -> tuple[str, Tier, int]:
    world = FakeWorld()
    user = a_user()
    world.database[AccountsState].users[user.id] = user
    principal = Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)
    await (await world.get(StartCheckout))(principal, Tier.PREMIUM)
    customer = next(iter(world.payments.customers))
    start = world.clock.now()
    events = []
    facts = [*life, (GatewayStatus.CANCELED, Tier.PREMIUM, False)] if ended else life
    for number, (status, tier, canceling) in enumerate(facts):
        snapshot = GatewaySubscription(
            id="sub_1",
            customer_id=customer,
            status=status,
            tier=tier,
            current_period_end=start + timedelta(days=30),
            cancel_at_period_end=canceling,
        )
        events.append(
            ProviderEvent(
                id=f"evt_{number}",
                type="customer.subscription.updated",
                created=start + timedelta(seconds=number),
                customer_id=customer,
                subscription_id="sub_1",
                subscription=snapshot,
            )
        )
    applied = 0
    for index in order:
        outcome = await (await world.get(HandleProviderEvent))(events[index % len(events)])
        applied += outcome is Outcome.APPLIED
    record = next(iter(world.database[PaymentsState].subscriptions.values()))
    tier = world.database[AccountsState].users[user.id].tier
    assert len(world.database[PaymentsState].webhook_events) == len(
        {i % len(events) for i in order}
    )
    return record.state.value, tier, applied


@settings(max_examples=budget(200), deadline=None)
@given(LIVES, st.data())
def test_any_order_with_repeats_ends_in_the_newest_state(
    lives: tuple[list[tuple[GatewayStatus, Tier, bool]], bool], data: st.DataObject
) -> None:
    life, ended = lives
    count = len(life) + (1 if ended else 0)
    order = data.draw(st.permutations(list(range(count))))
    repeats = data.draw(st.lists(st.integers(0, count - 1), max_size=5))
    state, tier, applied = asyncio.run(_run(life, ended, [*order, *repeats]))
    assert (state, tier) == _expected(life, ended)
    assert applied <= count
