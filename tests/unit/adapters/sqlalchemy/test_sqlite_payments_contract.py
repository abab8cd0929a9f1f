"""The payments SQL adapters pass the payments contract on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.payments import PaymentsContract, PortsFactory
from support.payments import sql_payment_ports


class TestSqlitePayments(PaymentsContract):
    @pytest.fixture
    def payments(self, engine: AsyncEngine) -> PortsFactory:
        return sql_payment_ports(engine)
