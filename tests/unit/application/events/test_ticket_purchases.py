"""Tickets bought through payments open paid events (issue 11): payments' PurchaseSucceeded
runs the events job that grants the ticket, once, for that event only."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.events import topics
from saltbitter.application.events.admin import CreateEvent
from saltbitter.application.events.members import Register
from saltbitter.application.events.tickets import ticket_event_of
from saltbitter.application.payments.events import PurchaseSucceeded
from saltbitter.application.payments.purchases import StartPurchase
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict
from saltbitter.domain.events import Admission, RegistrationStatus
from saltbitter.domain.shared import Role, UserId
from saltbitter.domain.subscriptions import PurchaseItem
from saltbitter.entrypoints.jobs import EVENT_HANDLERS, run_job
from saltbitter.testing.fakes_events import EventsState
from support.container import FakeWorld
from support.hypothesis_budget import budget

CARD = "pm_card_visa"


async def _paid_event(world: FakeWorld, admin: Principal, title: str = "Paid mixer") -> UUID:
    admin = dataclasses.replace(admin, roles=frozenset({Role.MEMBER, Role.ADMIN}))
    created = await (await world.get(CreateEvent))(
        admin,
        kind="speed_dating",
        title=title,
        description="Seven minutes each.",
        starts_at=world.clock.now() + timedelta(days=3),
        price_cents=1500,
    )
    return created.event_id


async def _buy(
    world: FakeWorld, me: Principal, item: PurchaseItem, event_id: UUID | str | None
) -> None:
    started = await (await world.get(StartPurchase))(
        me,
        item,
        1,
        payment_method_id=CARD,
        event_id=None if event_id is None else str(event_id),
    )
    assert started.status == "succeeded"


def _tickets(world: FakeWorld) -> set[tuple[UUID, UserId]]:
    return set(world.database[EventsState].tickets)


def test_purchase_succeeded_runs_the_grant_job() -> None:
    paid = _purchase(PurchaseItem.EVENT_TICKET, str(uuid4()), UserId(uuid4()))
    assert topics.GRANT_PURCHASED_TICKET in EVENT_HANDLERS.jobs_for(paid)


async def test_a_bought_ticket_opens_the_paid_event_and_a_replay_grants_once() -> None:
    world = FakeWorld()
    admin = await world.member("admin@example.org")
    me = await world.member()
    event_id = await _paid_event(world, admin)
    register = await world.get(Register)
    with pytest.raises(Conflict) as caught:
        await register(me, event_id)
    assert caught.value.code == "ticket_required"

    await _buy(world, me, PurchaseItem.EVENT_TICKET, event_id)
    assert topics.GRANT_PURCHASED_TICKET in await world.deliver_jobs()
    assert _tickets(world) == {(event_id, me.user_id)}

    [paid] = world.events(PurchaseSucceeded)
    for _ in range(3):  # redelivered or replayed: nothing more
        assert await run_job(world.container, topics.GRANT_PURCHASED_TICKET, paid) is False
    assert _tickets(world) == {(event_id, me.user_id)}

    answer = await register(me, event_id)
    assert (answer.status, answer.admission) == (RegistrationStatus.REGISTERED, Admission.TICKET)


async def test_a_ticket_for_event_a_does_not_open_event_b() -> None:
    world = FakeWorld()
    admin = await world.member("admin@example.org")
    me = await world.member()
    event_a = await _paid_event(world, admin, "A")
    event_b = await _paid_event(world, admin, "B")
    await _buy(world, me, PurchaseItem.EVENT_TICKET, event_a)
    await world.deliver_jobs()
    register = await world.get(Register)
    with pytest.raises(Conflict) as caught:
        await register(me, event_b)
    assert caught.value.code == "ticket_required"
    assert (await register(me, event_a)).admission is Admission.TICKET


async def test_other_items_unknown_events_and_bad_ids_grant_nothing() -> None:
    world = FakeWorld()
    admin = await world.member("admin@example.org")
    me = await world.member()
    event_id = await _paid_event(world, admin)
    await _buy(world, me, PurchaseItem.COACHING_SESSION, None)
    await _buy(world, me, PurchaseItem.EVENT_TICKET, uuid4())  # no such event
    await _buy(world, me, PurchaseItem.EVENT_TICKET, "evt-42")  # not an event id
    await world.deliver_jobs()
    # Another item naming the event (payments refuses that, but a job must not trust it).
    other = PurchaseSucceeded(
        user_id=me.user_id,
        purchase_id=uuid4(),
        item=PurchaseItem.SUPER_LIKE_PACK.value,
        quantity=1,
        amount_cents=499,
        event_id=str(event_id),
    )
    assert await run_job(world.container, topics.GRANT_PURCHASED_TICKET, other) is False
    assert _tickets(world) == set()
    with pytest.raises(Conflict):
        await (await world.get(Register))(me, event_id)


def _purchase(item: PurchaseItem, event_id: str | None, buyer: UserId) -> PurchaseSucceeded:
    return PurchaseSucceeded(
        user_id=buyer,
        purchase_id=uuid4(),
        item=item.value,
        quantity=1,
        amount_cents=1500,
        event_id=event_id,
    )


async def _deliver(draws: list[tuple[int, int, PurchaseItem, int]]) -> None:
    """Deliver purchases (buyer, event, item), each ``repeats`` times, in the drawn order;
    the tickets held are exactly the distinct (event, buyer) of ticket purchases."""
    world = FakeWorld()
    admin = await world.member("admin@example.org")
    buyers = [await world.member(f"b{n}@example.org") for n in range(2)]
    events = [await _paid_event(world, admin, f"E{n}") for n in range(2)]
    granted = 0
    expected: set[tuple[UUID, UserId]] = set()
    for buyer, event, item, repeats in draws:
        purchase = _purchase(item, str(events[event]), buyers[buyer].user_id)
        for _ in range(repeats):
            granted += bool(await run_job(world.container, topics.GRANT_PURCHASED_TICKET, purchase))
        if item is PurchaseItem.EVENT_TICKET:
            expected.add((events[event], buyers[buyer].user_id))
    assert _tickets(world) == expected
    assert granted == len(expected)


@settings(max_examples=budget(50), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 1), st.integers(0, 1), st.sampled_from(PurchaseItem), st.integers(1, 3)
        ),
        max_size=6,
    )
)
def test_any_deliveries_grant_each_bought_ticket_exactly_once(
    draws: list[tuple[int, int, PurchaseItem, int]],
) -> None:
    asyncio.run(_deliver(draws))


@given(st.sampled_from(PurchaseItem), st.one_of(st.none(), st.text(max_size=40), st.uuids()))
def test_only_an_event_ticket_with_an_event_id_names_an_event(
    item: PurchaseItem, event_id: str | UUID | None
) -> None:
    named = ticket_event_of(
        _purchase(item, None if event_id is None else str(event_id), UserId(uuid4()))
    )
    if item is PurchaseItem.EVENT_TICKET and isinstance(event_id, UUID):
        assert named == event_id
    elif item is not PurchaseItem.EVENT_TICKET or event_id is None:
        assert named is None
