"""Discovery's daily allowance on SQL, counted atomically per member."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import delete, select

from saltbitter.adapters.sqlalchemy.matching._shared import OnConnection, chunks
from saltbitter.adapters.sqlalchemy.shared_reads import advisory_lock
from saltbitter.adapters.sqlalchemy.tables_members import discover_allotments
from saltbitter.application.ports.matching import DiscoverAllowance
from saltbitter.domain.shared import UserId

__all__ = ["SqlaDiscoverAllowance"]


class SqlaDiscoverAllowance(OnConnection, DiscoverAllowance):
    __slots__ = ()

    async def allot_discover(
        self, user: UserId, local_date: date, offered: Sequence[UserId], allowance: int
    ) -> set[UserId]:
        if self._dialect == "postgresql":
            # Held until commit or rollback: a concurrent page of the same member waits
            # here, then counts this one's allotment.
            await self._db.execute(advisory_lock(b"discover-allotment", user))
        # A write first: on SQLite it takes the database's write lock for the count below.
        await self._db.execute(
            delete(discover_allotments).where(
                discover_allotments.c.user_id == user,
                discover_allotments.c.local_date < local_date - timedelta(days=1),
            )
        )
        rows = await self._db.execute(
            select(discover_allotments.c.candidate_id).where(
                discover_allotments.c.user_id == user,
                discover_allotments.c.local_date == local_date,
            )
        )
        allotted = {UserId(row.candidate_id) for row in rows}
        new: list[UserId] = []
        for candidate in offered:
            if len(allotted) + len(new) >= allowance:
                break
            if candidate not in allotted and candidate not in new:
                new.append(candidate)
        for chunk in chunks(new):
            await self._db.execute(
                self._insert(discover_allotments).values(
                    [
                        {"user_id": user, "local_date": local_date, "candidate_id": candidate}
                        for candidate in chunk
                    ]
                )
            )
        return allotted | set(new)
