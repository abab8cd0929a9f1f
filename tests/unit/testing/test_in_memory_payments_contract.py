"""The payments fakes pass the payments contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from saltbitter.testing.contracts.payments import PaymentPorts, PaymentsContract, PortsFactory
from saltbitter.testing.fakes import InMemoryUserRepository
from saltbitter.testing.fakes_payments import (
    InMemoryMemberContacts,
    InMemoryMemberTiers,
    InMemoryPurchaseAccounts,
    InMemoryPurchaseStore,
    InMemorySubscriptionStore,
    InMemoryWebhookLedger,
)
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction


class TestInMemoryPayments(PaymentsContract):
    @pytest.fixture
    def payments(self) -> PortsFactory:
        database = InMemoryDatabase()

        @asynccontextmanager
        async def ports() -> AsyncIterator[PaymentPorts]:
            connection = InMemoryConnection(database)
            yield PaymentPorts(
                transaction=InMemoryTransaction(connection),
                users=InMemoryUserRepository(connection),
                subscriptions=InMemorySubscriptionStore(connection),
                ledger=InMemoryWebhookLedger(connection),
                tiers=InMemoryMemberTiers(connection),
                contacts=InMemoryMemberContacts(connection),
                purchases=InMemoryPurchaseStore(connection),
                accounts=InMemoryPurchaseAccounts(connection),
            )

        return ports
