"""Daily sets on SQL: one set per (member, local date), and the exposure sets give."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import and_, func, select, text

from saltbitter.adapters.sqlalchemy.matching._shared import OnConnection, chunks
from saltbitter.adapters.sqlalchemy.staging import translating_errors
from saltbitter.adapters.sqlalchemy.tables_members import daily_set_entries, daily_set_runs
from saltbitter.application.ports.matching import DailySet, DailySetEntry, DailySetStore
from saltbitter.domain.compatibility import ComponentScores
from saltbitter.domain.shared import UserId

__all__ = ["SqlaDailySetStore"]


def _components(raw: Mapping[str, float]) -> ComponentScores:
    return ComponentScores(
        attachment=float(raw["attachment"]),
        interests=float(raw["interests"]),
        values=float(raw["values"]),
        demographics=float(raw["demographics"]),
    )


_ENTRY_COLUMNS = (
    "user_id",
    "local_date",
    "position",
    "candidate_id",
    "total",
    "components",
    "reasons",
)


_CLAIM_RUNS = text(
    "INSERT INTO daily_set_runs (user_id, local_date, size, created_at)"
    " SELECT * FROM unnest(CAST(:users AS uuid[]), CAST(:dates AS date[]),"
    " CAST(:sizes AS integer[]), CAST(:created AS timestamptz[]))"
    " ON CONFLICT DO NOTHING RETURNING user_id"
)
_COPY_LINES = 4096
_JSON = msgspec.json.Encoder()
_KEPT_POSITIONS = 64
_POSITIONS = tuple(b"%d\t" % position for position in range(_KEPT_POSITIONS))


def _copy_text(document: bytes) -> bytes:
    """A JSON document as a COPY text field: JSON never holds a raw tab, newline or
    carriage return (msgspec escapes control characters), so only backslashes need
    doubling."""
    return document.replace(b"\\", b"\\\\")


def _components_document(components: ComponentScores) -> dict[str, float]:
    return {
        "attachment": components.attachment,
        "interests": components.interests,
        "values": components.values,
        "demographics": components.demographics,
    }


def _copy_lines(stored: Sequence[DailySet]) -> list[bytes]:
    """The entries of ``stored`` as COPY text lines. msgspec writes the numbers, the
    candidate's id (its JSON string without the quotes) and the JSON documents: Python's
    ``repr`` of a float and ``str`` of a UUID cost about 1 µs each, and a million entries
    carry six of them each."""
    encode = _JSON.encode
    lines: list[bytes] = []
    append = lines.append
    for daily in stored:
        head = f"{daily.user_id}\t{daily.local_date.isoformat()}\t".encode()
        for position, entry in enumerate(daily.entries):
            components = entry.components
            reasons = encode(entry.reasons)
            if b"\\" in reasons:
                reasons = _copy_text(reasons)
            append(
                b"".join(
                    (
                        head,
                        _POSITIONS[position] if position < _KEPT_POSITIONS else b"%d\t" % position,
                        encode(entry.candidate_id)[1:-1],
                        b"\t",
                        encode(entry.total),
                        b'\t{"attachment":',
                        encode(components.attachment),
                        b',"interests":',
                        encode(components.interests),
                        b',"values":',
                        encode(components.values),
                        b',"demographics":',
                        encode(components.demographics),
                        b"}\t",
                        reasons,
                        b"\n",
                    )
                )
            )
    return lines


class SqlaDailySetStore(OnConnection, DailySetStore):
    __slots__ = ()

    async def daily_set(self, user: UserId, local_date: date) -> DailySet | None:
        run = (
            await self._db.execute(
                select(daily_set_runs.c.created_at).where(
                    daily_set_runs.c.user_id == user, daily_set_runs.c.local_date == local_date
                )
            )
        ).one_or_none()
        if run is None:
            return None
        rows = await self._db.execute(
            select(daily_set_entries)
            .where(
                daily_set_entries.c.user_id == user,
                daily_set_entries.c.local_date == local_date,
            )
            .order_by(daily_set_entries.c.position)
        )
        entries = tuple(
            DailySetEntry(
                candidate_id=UserId(row.candidate_id),
                total=row.total,
                components=_components(row.components),
                reasons=tuple(row.reasons),
            )
            for row in rows
        )
        return DailySet(user, local_date, entries, run.created_at)

    async def runs_on(self, local_dates: Collection[date]) -> set[tuple[UserId, date]]:
        if not local_dates:
            return set()
        rows = await self._db.execute(
            select(daily_set_runs.c.user_id, daily_set_runs.c.local_date).where(
                daily_set_runs.c.local_date.in_(sorted(set(local_dates)))
            )
        )
        return {(UserId(row.user_id), row.local_date) for row in rows}

    async def save_daily_sets(self, sets: Sequence[DailySet]) -> set[UserId]:
        saved: set[UserId] = set()
        by_user = {daily.user_id: daily for daily in sets}
        if self._dialect == "postgresql":
            saved = await self._claim_runs(sets)
        else:
            for chunk in chunks(sets):
                statement = (
                    self._insert(daily_set_runs)
                    .values(
                        [
                            {
                                "user_id": daily.user_id,
                                "local_date": daily.local_date,
                                "size": daily.size,
                                "created_at": daily.created_at,
                            }
                            for daily in chunk
                        ]
                    )
                    .returning(daily_set_runs.c.user_id)
                )
                saved.update(UserId(row.user_id) for row in await self._db.execute(statement))
        stored = [by_user[user] for user in saved]
        if not any(daily.entries for daily in stored):
            return saved
        if self._dialect == "postgresql":
            await self._copy_entries(stored)
        else:
            # One executemany: measured no slower than multi-row VALUES, whose
            # compilation costs more than the round trips it saves.
            await self._db.execute(
                daily_set_entries.insert(),
                [
                    {
                        "user_id": daily.user_id,
                        "local_date": daily.local_date,
                        "position": position,
                        "candidate_id": entry.candidate_id,
                        "total": entry.total,
                        "components": _components_document(entry.components),
                        "reasons": list(entry.reasons),
                    }
                    for daily in stored
                    for position, entry in enumerate(daily.entries)
                ],
            )
        return saved

    async def _claim_runs(self, sets: Sequence[DailySet]) -> set[UserId]:
        """PostgreSQL: the runs as four arrays through ``unnest``, one short statement.
        A multi-row VALUES of 500 sets was a query too long for psycopg's parse cache and
        for SQLAlchemy's compiled cache: both redone per chunk cost ~5 % of the job."""
        rows = await self._db.execute(
            _CLAIM_RUNS,
            {
                "users": [daily.user_id for daily in sets],
                "dates": [daily.local_date for daily in sets],
                "sizes": [daily.size for daily in sets],
                "created": [daily.created_at for daily in sets],
            },
        )
        return {UserId(row.user_id) for row in rows}

    async def _copy_entries(self, stored: Sequence[DailySet]) -> None:
        """PostgreSQL: the entries through ``COPY ... FROM STDIN`` (text format) on the
        transaction's own connection: one stream instead of one bound statement per row
        (100,000 sets carry over a million entries), the lines formatted here with the
        JSON documents encoded by msgspec. Only sets this run's ``daily_set_runs`` insert
        claimed get here, so the entries' primary key can never collide."""
        connection = await self._db.begin()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection  # psycopg's AsyncConnection
        columns = ", ".join(f'"{column}"' for column in _ENTRY_COLUMNS)
        lines = _copy_lines(stored)
        with translating_errors():
            async with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY daily_set_entries ({columns}) FROM STDIN") as copy,
            ):
                for start in range(0, len(lines), _COPY_LINES):
                    await copy.write(b"".join(lines[start : start + _COPY_LINES]))

    async def recent_exposure(
        self, since: datetime, until: datetime | None = None
    ) -> dict[UserId, int]:
        made = [daily_set_runs.c.created_at >= since]
        if until is not None:
            made.append(daily_set_runs.c.created_at < until)
        return await self._exposure(*made)

    async def exposure_from(
        self, viewers: Collection[UserId], since: datetime
    ) -> dict[UserId, int]:
        exposure: dict[UserId, int] = {}
        for chunk in chunks(set(viewers)):
            found = await self._exposure(
                daily_set_runs.c.user_id.in_(chunk), daily_set_runs.c.created_at >= since
            )
            for candidate, count in found.items():
                exposure[candidate] = exposure.get(candidate, 0) + count
        return exposure

    async def _exposure(self, *made: Any) -> dict[UserId, int]:
        joined = daily_set_entries.join(
            daily_set_runs,
            and_(
                daily_set_runs.c.user_id == daily_set_entries.c.user_id,
                daily_set_runs.c.local_date == daily_set_entries.c.local_date,
            ),
        )
        rows = await self._db.execute(
            select(daily_set_entries.c.candidate_id, func.count())
            .select_from(joined)
            .where(*made)
            .group_by(daily_set_entries.c.candidate_id)
        )
        return {UserId(candidate): int(count) for candidate, count in rows}

    async def daily_set_holders(
        self, candidate: UserId, since: date
    ) -> Sequence[tuple[UserId, date]]:
        rows = await self._db.execute(
            select(daily_set_entries.c.user_id, daily_set_entries.c.local_date).where(
                daily_set_entries.c.candidate_id == candidate,
                daily_set_entries.c.local_date >= since,
            )
        )
        return [(UserId(row.user_id), row.local_date) for row in rows]
