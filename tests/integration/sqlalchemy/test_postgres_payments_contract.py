"""The payments SQL adapters pass the payments contract on PostgreSQL, and the webhook
ledger admits one of many concurrent deliveries of the same event id."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.payments import SqlaWebhookLedger
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.testing.contracts.payments import T0, PaymentsContract, PortsFactory
from support.payments import sql_payment_ports


class TestPostgresPayments(PaymentsContract):
    @pytest.fixture
    def payments(self, engine: AsyncEngine) -> PortsFactory:
        return sql_payment_ports(engine)


async def test_concurrent_deliveries_of_one_event_id_record_it_once(engine: AsyncEngine) -> None:
    async def deliver() -> bool:
        db = StagedConnection(engine)
        try:
            transaction = SqlaTransaction(db)
            async with transaction:
                fresh = await SqlaWebhookLedger(db).record("evt_race", "invoice.paid", T0)
                await asyncio.sleep(0.05)  # hold the row while the others try
                await transaction.commit()
            return fresh
        finally:
            await db.close()

    assert sorted(await asyncio.gather(*(deliver() for _ in range(5)))) == [False] * 4 + [True]
