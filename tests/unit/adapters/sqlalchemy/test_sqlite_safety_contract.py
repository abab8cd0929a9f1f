from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.safety import PortsFactory, SafetyContract
from support.safety import sql_safety_ports


class TestSqliteSafety(SafetyContract):
    @pytest.fixture
    def ports(self, engine: AsyncEngine) -> PortsFactory:
        return sql_safety_ports(engine)
