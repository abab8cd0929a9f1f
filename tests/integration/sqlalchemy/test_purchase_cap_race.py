"""Purchases racing against the member's monthly cap on PostgreSQL: the member's
purchase_accounts row serialises them, so together they never pass the cap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.payments import (
    SqlaMemberContacts,
    SqlaPurchaseAccounts,
    SqlaPurchaseStore,
    SqlaSubscriptionStore,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables_payments import purchases
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import UuidIdGenerator
from saltbitter.application.payments.policy import PaymentsPolicy
from saltbitter.application.payments.purchases import SetSpendingCap, StartPurchase
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.domain.subscriptions import PurchaseItem, PurchaseStatus
from saltbitter.entrypoints.jobs import EVENTS
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes import InMemoryClock
from saltbitter.testing.fakes_payments import InMemoryPaymentGateway

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)


class _SlowTotals(SqlaPurchaseStore):
    """Holds the transaction open after reading the month's total, so that racing
    purchases all read before any writes unless the account lock orders them."""

    async def total_cents(
        self,
        member: UserId,
        since: datetime,
        until: datetime,
        statuses: frozenset[PurchaseStatus],
    ) -> int:
        total = await super().total_cents(member, since, until, statuses)
        await asyncio.sleep(0.05)
        return total


def _principal(user: UserId) -> Principal:
    return Principal(user, SessionId(user), frozenset({Role.MEMBER}), Tier.FREE, True)


async def _member(engine: AsyncEngine) -> Principal:
    user = a_user()
    db = StagedConnection(engine)
    try:
        transaction = SqlaTransaction(db)
        async with transaction:
            SqlaUserRepository(db).add(user)
            await transaction.commit()
    finally:
        await db.close()
    return _principal(user.id)


async def _cap(engine: AsyncEngine, me: Principal, cents: int, clock: InMemoryClock) -> None:
    db = StagedConnection(engine)
    try:
        set_cap = SetSpendingCap(
            SqlaTransaction(db), SqlaPurchaseAccounts(db), SqlaPurchaseStore(db), clock
        )
        await set_cap(me, cents)
    finally:
        await db.close()


@pytest.mark.parametrize(("racers", "cap", "fits"), [(2, 2900, 1), (8, 3 * 2900 + 100, 3)])
async def test_purchases_racing_against_the_cap_never_pass_it(
    engine: AsyncEngine, racers: int, cap: int, fits: int
) -> None:
    clock = InMemoryClock(T0)
    gateway = InMemoryPaymentGateway(clock)
    ids = UuidIdGenerator()
    me = await _member(engine)
    await _cap(engine, me, cap, clock)

    async def buy() -> str:
        db = StagedConnection(engine)  # one request: one connection for every port
        try:
            use_case = StartPurchase(
                SqlaTransaction(db),
                _SlowTotals(db),
                SqlaPurchaseAccounts(db),
                SqlaSubscriptionStore(db),
                SqlaMemberContacts(db),
                gateway,
                SqlaOutbox(db, clock, ids, EVENTS),
                clock,
                ids,
                PaymentsPolicy(),
            )
            started = await use_case(
                me, PurchaseItem.COACHING_SESSION, 1, payment_method_id="pm_card_visa"
            )
        except Conflict as refused:
            return refused.code
        finally:
            await db.close()
        return started.status

    # The member's customer exists first (its creation is not what races here).
    assert await buy() == ("succeeded" if fits else "spending_cap_reached")
    outcomes = await asyncio.gather(*(buy() for _ in range(racers)))
    assert sorted(outcomes) == sorted(
        ["succeeded"] * (fits - 1) + ["spending_cap_reached"] * (racers - fits + 1)
    )
    async with engine.connect() as connection:
        total = (
            await connection.execute(
                select(func.sum(purchases.c.amount_cents)).where(purchases.c.user_id == me.user_id)
            )
        ).scalar_one()
    assert total == fits * 2900
    assert total <= cap
