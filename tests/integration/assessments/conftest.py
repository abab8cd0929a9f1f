from __future__ import annotations

from collections.abc import Callable

import pytest

from saltbitter.adapters.sqlalchemy.migrate import upgrade


@pytest.fixture(scope="module")
def migrated_url(postgres_databases: Callable[[], str]) -> str:
    """A fresh PostgreSQL database of this module's own, migrated to head."""
    url = postgres_databases()
    upgrade(url)
    return url
