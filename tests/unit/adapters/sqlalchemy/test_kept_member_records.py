"""Member records kept per process (ADR 0036) are bounded in time as well as in number:
one nobody reads (an erased member's, whose row is gone) leaves memory soon."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.matching.candidates import _MEMBERS_BY_ID, _KeptRecords
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.shared import UserId
from saltbitter.testing.contracts.matching import seed_member
from support.matching_ports import sql_requests

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


class _ManualClock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


async def _rows(engine: AsyncEngine) -> dict[UserId, Row[Any]]:
    async with sql_requests(engine)() as request:
        ids = [
            await seed_member(request.writers, display_name="Ada"),
            await seed_member(
                request.writers, display_name="Bo", gender=Gender.MAN, seeks=(Gender.WOMAN,)
            ),
        ]
        await request.transaction.commit()
    async with engine.connect() as connection:
        found = await connection.execute(_MEMBERS_BY_ID["sqlite"], {"user_ids": ids})
        return {UserId(row.id): row for row in found}


async def test_a_record_unused_for_its_time_is_dropped_at_the_next_read(
    engine: AsyncEngine,
) -> None:
    (ada, ada_row), (bo, bo_row) = (await _rows(engine)).items()
    clock = _ManualClock()
    kept = _KeptRecords(limit=100, max_age_seconds=60, clock=clock)
    first = kept.member(ada_row, NOW)
    kept.member(bo_row, NOW)
    clock.seconds += 30
    assert kept.member(ada_row, NOW) is first  # reused while in use
    kept.member(bo_row, NOW)

    clock.seconds += 45  # Ada's record was last read 45 s ago, Bo's 45 s ago too
    assert ada in kept
    assert bo in kept
    clock.seconds += 16  # 61 s: both are past their time
    kept.member(bo_row, NOW)  # any read sweeps; Bo's own is built again
    assert ada not in kept
    assert bo in kept
    assert kept.member(ada_row, NOW) is not first  # built afresh, equal
    assert kept.member(ada_row, NOW) == first
