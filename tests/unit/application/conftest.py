from __future__ import annotations

import pytest

from saltbitter.testing.harness import AccountsHarness


@pytest.fixture
def accounts() -> AccountsHarness:
    return AccountsHarness()
