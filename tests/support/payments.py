"""The payments SQL ports on one connection, for the SQLite and PostgreSQL contracts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.payments import (
    SqlaMemberContacts,
    SqlaMemberTiers,
    SqlaPurchaseAccounts,
    SqlaPurchaseStore,
    SqlaSubscriptionStore,
    SqlaWebhookLedger,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.testing.contracts.payments import PaymentPorts, PortsFactory

__all__ = ["sql_payment_ports"]


def sql_payment_ports(engine: AsyncEngine) -> PortsFactory:
    @asynccontextmanager
    async def ports() -> AsyncIterator[PaymentPorts]:
        db = StagedConnection(engine)
        try:
            yield PaymentPorts(
                transaction=SqlaTransaction(db),
                users=SqlaUserRepository(db),
                subscriptions=SqlaSubscriptionStore(db),
                ledger=SqlaWebhookLedger(db),
                tiers=SqlaMemberTiers(db),
                contacts=SqlaMemberContacts(db),
                purchases=SqlaPurchaseStore(db),
                accounts=SqlaPurchaseAccounts(db),
            )
        finally:
            await db.close()

    return ports
