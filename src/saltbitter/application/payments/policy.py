"""Settings the payments use cases need, as one value (APP scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from saltbitter.domain.subscriptions import (
    DEFAULT_CATALOG,
    DEFAULT_GRACE_DAYS,
    DEFAULT_ITEM_CATALOG,
    Catalog,
    ItemCatalog,
)

__all__ = ["PaymentsPolicy"]


@dataclass(frozen=True, slots=True)
class PaymentsPolicy:
    public_base_url: str = "http://127.0.0.1:8000"
    grace: timedelta = timedelta(days=DEFAULT_GRACE_DAYS)
    catalog: Catalog = DEFAULT_CATALOG
    items: ItemCatalog = DEFAULT_ITEM_CATALOG

    def url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path
