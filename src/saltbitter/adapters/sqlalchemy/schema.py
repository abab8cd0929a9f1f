"""The complete schema: every table module is imported here, so ``metadata`` knows them all.

Alembic's env.py and the tests read ``metadata`` from this module; add new table modules
to the import list below.
"""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy import (
    tables,
    tables_ai,
    tables_assessments,
    tables_conversations,
    tables_events,
    tables_members,
    tables_payments,
    tables_privacy,
    tables_safety,
)
from saltbitter.adapters.sqlalchemy.tables import metadata

__all__ = ["TABLE_MODULES", "metadata"]

TABLE_MODULES = (
    tables,
    tables_members,
    tables_assessments,
    tables_safety,
    tables_conversations,
    tables_payments,
    tables_ai,
    tables_privacy,
    tables_events,
)
