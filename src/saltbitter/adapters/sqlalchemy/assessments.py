"""Assessments on SQL (table ``assessments``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, text

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables_members import assessments
from saltbitter.application.ports.assessments import AssessmentRepository, StoredAssessment
from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.domain.shared import UserId

__all__ = ["SqlaAssessmentRepository"]


def _assessment(row: Row[Any]) -> StoredAssessment:
    return StoredAssessment(
        id=row.id,
        user_id=UserId(row.user_id),
        instrument=row.instrument,
        instrument_version=row.instrument_version,
        # JSON object keys are strings; item numbers are ints everywhere else.
        answers={int(number): int(answer) for number, answer in row.answers.items()},
        anxiety=row.anxiety,
        avoidance=row.avoidance,
        style=AttachmentStyle(row.style),
        near_boundary=row.near_boundary,
        taken_at=row.taken_at,
    )


def _member_key(user_id: UserId) -> int:
    """A signed 64-bit advisory-lock key for one member's submissions (collisions, also
    with other capabilities' keys, only serialise more)."""
    digest = hashlib.blake2b(b"assessments:" + user_id.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SqlaAssessmentRepository(AssessmentRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def lock_member(self, user_id: UserId) -> None:
        if self._db.connection.dialect.name == "postgresql":
            # Held until commit or rollback: the second of two simultaneous submissions
            # waits here, then reads the first one's committed result and is refused.
            await self._db.execute(select(func.pg_advisory_xact_lock(_member_key(user_id))))
        else:
            # SQLite has one writer at a time: a write that matches nothing takes the
            # database's write lock now, so the retake check reads current data.
            await self._db.execute(text("UPDATE assessments SET style = style WHERE 0 = 1"))

    async def latest(self, user_id: UserId) -> StoredAssessment | None:
        statement = (
            select(assessments)
            .where(assessments.c.user_id == user_id)
            .order_by(assessments.c.taken_at.desc(), assessments.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _assessment(row)

    def add(self, assessment: StoredAssessment) -> None:
        self._db.stage(
            assessments,
            {
                "id": assessment.id,
                "user_id": assessment.user_id,
                "instrument": assessment.instrument,
                "instrument_version": assessment.instrument_version,
                "answers": {str(number): answer for number, answer in assessment.answers.items()},
                "anxiety": assessment.anxiety,
                "avoidance": assessment.avoidance,
                "style": assessment.style.value,
                "near_boundary": assessment.near_boundary,
                "taken_at": assessment.taken_at,
            },
        )

    async def history(self, user_id: UserId) -> Sequence[StoredAssessment]:
        statement = (
            select(assessments)
            .where(assessments.c.user_id == user_id)
            .order_by(assessments.c.taken_at.desc(), assessments.c.id.desc())
        )
        return [_assessment(row) for row in await self._db.execute(statement)]
