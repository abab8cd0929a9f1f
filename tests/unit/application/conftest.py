from __future__ import annotations

import pytest

from support.container import FakeWorld


@pytest.fixture
def accounts() -> FakeWorld:
    return FakeWorld()
