from __future__ import annotations

import pytest

from saltbitter.testing.contracts.safety import PortsFactory, SafetyContract
from saltbitter.testing.memory import InMemoryDatabase
from support.safety import in_memory_safety_ports


class TestInMemorySafety(SafetyContract):
    @pytest.fixture
    def ports(self) -> PortsFactory:
        return in_memory_safety_ports(InMemoryDatabase())
