from __future__ import annotations

import pytest

from saltbitter.testing.contracts.privacy_rights import PrivacyRightsContract, PrivacyRightsStore
from saltbitter.testing.contracts.scopes import Connect
from saltbitter.testing.memory import InMemoryDatabase
from support.privacy_rights import memory_privacy_rights_store


class TestInMemoryPrivacyRights(PrivacyRightsContract):
    @pytest.fixture
    def connect(self) -> Connect[PrivacyRightsStore]:
        return memory_privacy_rights_store(InMemoryDatabase())
