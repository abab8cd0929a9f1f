"""The payments ports' contract: the SQL adapters (SQLite, PostgreSQL) and the in-memory
fakes pass the same tests.

Subclass :class:`PaymentsContract` and provide ``payments``: a callable returning an
async context manager that yields :class:`PaymentPorts` built on one connection of one
empty, migrated store.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from saltbitter.application.payments.records import new_record
from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.payments import (
    MemberContacts,
    MemberTiers,
    PurchaseAccounts,
    PurchaseRecord,
    PurchaseStore,
    SubscriptionRecord,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import (
    PurchaseItem,
    PurchaseStatus,
    SpendingCap,
    SpendingNotices,
    SubscriptionState,
)
from saltbitter.testing.builders import a_user

__all__ = ["PaymentPorts", "PaymentsContract", "PortsFactory"]

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class PaymentPorts:
    transaction: Transaction
    users: UserRepository
    subscriptions: SubscriptionStore
    ledger: WebhookLedger
    tiers: MemberTiers
    contacts: MemberContacts
    purchases: PurchaseStore
    accounts: PurchaseAccounts


PortsFactory = Callable[[], AbstractAsyncContextManager[PaymentPorts]]


async def _save_and_commit(ports: PaymentPorts, record: SubscriptionRecord) -> None:
    """The fakes check uniqueness at commit, the databases at the statement."""
    await ports.subscriptions.save(record)
    await ports.transaction.commit()


def a_purchase(member: UserId, at: datetime = T0, **changes: object) -> PurchaseRecord:
    record = PurchaseRecord(
        id=uuid4(),
        member=member,
        item=PurchaseItem.COACHING_SESSION,
        quantity=1,
        amount_cents=2900,
        currency="USD",
        status=PurchaseStatus.PENDING,
        intent_id=None,
        event_id=None,
        created_at=at,
        updated_at=at,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


class PaymentsContract:
    @pytest.fixture
    def payments(self) -> PortsFactory:
        raise NotImplementedError("provide the payments ports on one connection")

    async def _member(self, payments: PortsFactory) -> UserId:
        user = a_user()
        async with payments() as ports, ports.transaction:
            ports.users.add(user)
            await ports.transaction.commit()
        return user.id

    async def test_a_record_round_trips_and_is_found_by_member_and_customer(
        self, payments: PortsFactory
    ) -> None:
        member = await self._member(payments)
        record = replace(
            new_record(member, "cus_1", T0),
            subscription_id="sub_1",
            state=SubscriptionState.PAST_DUE,
            tier=Tier.ELITE,
            current_period_end=T0 + timedelta(days=30),
            grace_deadline=T0 + timedelta(days=7),
            scheduled_tier=Tier.PREMIUM,
            observed_at=T0,
        )
        async with payments() as ports, ports.transaction:
            await ports.subscriptions.save(record)
            await ports.transaction.commit()
        async with payments() as ports:
            assert await ports.subscriptions.for_member(member) == record
            assert await ports.subscriptions.for_customer("cus_1") == record
            assert await ports.subscriptions.for_customer("cus_2") is None
            async with ports.transaction:
                assert await ports.subscriptions.for_update(member) == record
                changed = replace(record, state=SubscriptionState.ACTIVE, grace_deadline=None)
                await ports.subscriptions.save(changed)
                await ports.transaction.commit()
        async with payments() as ports:
            assert await ports.subscriptions.for_member(member) == changed

    async def test_without_commit_nothing_is_stored(self, payments: PortsFactory) -> None:
        member = await self._member(payments)
        async with payments() as ports:
            async with ports.transaction:
                await ports.subscriptions.save(new_record(member, "cus_1", T0))
                assert await ports.ledger.record("evt_1", "invoice.paid", T0)
            assert await ports.subscriptions.for_member(member) is None
        async with payments() as ports, ports.transaction:
            assert await ports.ledger.record("evt_1", "invoice.paid", T0)

    async def test_an_event_id_is_recorded_once(self, payments: PortsFactory) -> None:
        async with payments() as ports, ports.transaction:
            assert await ports.ledger.record("evt_1", "invoice.paid", T0)
            assert not await ports.ledger.record("evt_1", "invoice.paid", T0)
            await ports.transaction.commit()
        async with payments() as ports, ports.transaction:
            assert not await ports.ledger.record("evt_1", "invoice.paid", T0)
            assert await ports.ledger.record("evt_2", "invoice.paid", T0)

    async def test_one_record_per_member(self, payments: PortsFactory) -> None:
        member = await self._member(payments)
        async with payments() as ports, ports.transaction:
            await ports.subscriptions.save(new_record(member, "cus_1", T0))
            await ports.transaction.commit()
        async with payments() as ports, ports.transaction:
            with pytest.raises(Conflict):
                await _save_and_commit(ports, new_record(member, "cus_2", T0))

    async def test_linked_pages_in_member_order(self, payments: PortsFactory) -> None:
        members = [await self._member(payments) for _ in range(3)]
        async with payments() as ports, ports.transaction:
            for number, member in enumerate(members):
                record = new_record(member, f"cus_{number}", T0)
                linked = number != 1
                sub = f"sub_{number}" if linked else None
                await ports.subscriptions.save(replace(record, subscription_id=sub))
            await ports.transaction.commit()
        async with payments() as ports:
            first = await ports.subscriptions.linked(None, 1)
            rest = await ports.subscriptions.linked(first[0].member, 10)
        found = [r.member for r in (*first, *rest)]
        expected = sorted((members[0], members[2]), key=str)
        assert [str(m) for m in found] == [str(m) for m in expected]

    async def test_tiers_and_contacts_read_and_write_the_members_account(
        self, payments: PortsFactory
    ) -> None:
        member = await self._member(payments)
        async with payments() as ports:
            assert await ports.tiers.current_tier(member) is Tier.FREE
            assert (await ports.contacts.email_of(member) or "").endswith("@example.org")
            async with ports.transaction:
                await ports.tiers.set_tier(member, Tier.ELITE)
                await ports.transaction.commit()
        async with payments() as ports:
            assert await ports.tiers.current_tier(member) is Tier.ELITE
            stranger = UserId(a_user().id)
            assert await ports.tiers.current_tier(stranger) is None
            assert await ports.contacts.email_of(stranger) is None

    async def test_purchases_round_trip_and_move_status_and_intent(
        self, payments: PortsFactory
    ) -> None:
        member = await self._member(payments)
        ticket = a_purchase(member, item=PurchaseItem.EVENT_TICKET, event_id="ev-1", quantity=2)
        async with payments() as ports, ports.transaction:
            await ports.purchases.add(ticket)
            await ports.transaction.commit()
        paid = replace(
            ticket,
            status=PurchaseStatus.SUCCEEDED,
            intent_id="pi_1",
            updated_at=T0 + timedelta(seconds=5),
        )
        async with payments() as ports:
            assert await ports.purchases.get(ticket.id) == ticket
            assert await ports.purchases.succeeded_ticket(member, "ev-1") is None
            async with ports.transaction:
                await ports.purchases.save(paid)
                await ports.transaction.commit()
        async with payments() as ports:
            assert await ports.purchases.get(ticket.id) == paid
            assert await ports.purchases.by_intent("pi_1") == paid
            assert await ports.purchases.by_intent("pi_2") is None
            assert await ports.purchases.get(UUID(int=7)) is None
            assert await ports.purchases.succeeded_ticket(member, "ev-1") == paid
            assert await ports.purchases.succeeded_ticket(member, "ev-2") is None

    async def test_totals_count_the_members_month_by_status(self, payments: PortsFactory) -> None:
        me, other = await self._member(payments), await self._member(payments)
        march, april = T0, T0 + timedelta(days=31)
        async with payments() as ports, ports.transaction:
            for record in (
                a_purchase(me, march),
                a_purchase(me, march, status=PurchaseStatus.SUCCEEDED, amount_cents=499),
                a_purchase(me, march, status=PurchaseStatus.FAILED, amount_cents=1500),
                a_purchase(me, april, amount_cents=1000),
                a_purchase(other, march, amount_cents=7000),
            ):
                await ports.purchases.add(record)
            await ports.transaction.commit()
        start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        reserved = frozenset({PurchaseStatus.PENDING, PurchaseStatus.SUCCEEDED})
        async with payments() as ports:
            assert await ports.purchases.total_cents(me, start, end, reserved) == 3399
            paid = frozenset({PurchaseStatus.SUCCEEDED})
            assert await ports.purchases.total_cents(me, start, end, paid) == 499
            assert await ports.purchases.total_cents(
                me, end, end + timedelta(days=30), reserved
            ) == (1000)
            stranger = UserId(a_user().id)
            assert await ports.purchases.total_cents(stranger, start, end, reserved) == 0

    async def test_history_pages_newest_first_and_only_the_members(
        self, payments: PortsFactory
    ) -> None:
        me, other = await self._member(payments), await self._member(payments)
        mine = [a_purchase(me, T0 + timedelta(minutes=n // 2)) for n in range(5)]
        async with payments() as ports, ports.transaction:
            for record in (*mine, a_purchase(other)):
                await ports.purchases.add(record)
            await ports.transaction.commit()
        expected = sorted(mine, key=lambda p: (p.created_at, p.id), reverse=True)
        async with payments() as ports:
            first = await ports.purchases.page(me, None, 2)
            last = first[-1]
            rest = await ports.purchases.page(me, (last.created_at, last.id), 10)
        assert [p.id for p in (*first, *rest)] == [p.id for p in expected]

    async def test_an_account_is_created_on_lock_and_saved(self, payments: PortsFactory) -> None:
        member = await self._member(payments)
        async with payments() as ports:
            assert await ports.accounts.get(member) is None
            async with ports.transaction:
                account = await ports.accounts.lock(member, T0)
                assert (account.cap, account.notices, account.super_likes) == (
                    SpendingCap(),
                    SpendingNotices(),
                    0,
                )
                changed = replace(
                    account,
                    cap=SpendingCap(2000, None, T0 + timedelta(hours=24)),
                    notices=SpendingNotices("2026-03", 5000),
                    super_likes=15,
                )
                await ports.accounts.save(changed)
                await ports.transaction.commit()
        async with payments() as ports:
            assert await ports.accounts.get(member) == changed
            async with ports.transaction:
                assert await ports.accounts.lock(member, T0 + timedelta(days=1)) == changed
