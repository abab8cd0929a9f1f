from __future__ import annotations

import pytest

from saltbitter.testing.contracts.events import EventsContract, PortsFactory
from saltbitter.testing.memory import InMemoryDatabase
from support.events import in_memory_events_ports


class TestInMemoryEvents(EventsContract):
    @pytest.fixture
    def ports(self) -> PortsFactory:
        return in_memory_events_ports(InMemoryDatabase())
