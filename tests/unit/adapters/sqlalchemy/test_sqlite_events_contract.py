from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.testing.contracts.events import EventsContract, PortsFactory
from support.events import sql_events_ports


class TestSqliteEvents(EventsContract):
    @pytest.fixture
    def ports(self, engine: AsyncEngine) -> PortsFactory:
        return sql_events_ports(engine)
