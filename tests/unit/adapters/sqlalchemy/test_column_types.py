from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql.base import PGDialect

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime

BERLIN_SUMMER = timezone(timedelta(hours=2))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2026, 3, 1, 9, 30), sqlite.dialect())


def test_sqlite_stores_utc_wall_time_and_loads_it_as_utc() -> None:
    column = UtcDateTime()
    local = datetime(2026, 7, 1, 11, 0, tzinfo=BERLIN_SUMMER)
    stored = column.process_bind_param(local, sqlite.dialect())
    assert stored == datetime(2026, 7, 1, 9, 0)
    loaded = column.process_result_value(stored, sqlite.dialect())
    assert loaded == local
    assert loaded is not None
    assert loaded.tzinfo is UTC


def test_postgresql_values_are_normalised_to_utc() -> None:
    column = UtcDateTime()
    local = datetime(2026, 7, 1, 11, 0, tzinfo=BERLIN_SUMMER)
    loaded = column.process_result_value(local, PGDialect())
    assert loaded == local
    assert loaded is not None
    assert loaded.tzinfo is UTC
    assert column.process_bind_param(None, PGDialect()) is None
