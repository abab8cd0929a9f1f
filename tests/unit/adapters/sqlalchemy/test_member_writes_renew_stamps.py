"""Writes of what a principal or GET /me shows mark the member, so that the commit renews
the member's stamp (ADR 0032, 0036). Regression: a profile rename and an immediate
erasure claim changed the users row without marking."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.erasure import SqlaErasureSchedule
from saltbitter.adapters.sqlalchemy.profiles import SqlaProfileMembers
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.testing.builders import a_user


async def _member(engine: AsyncEngine) -> tuple[StagedConnection, object]:
    db = StagedConnection(engine)
    user = a_user()
    SqlaUserRepository(db).add(user)
    await db.commit()
    db.changed_principals.clear()
    return db, user.id


async def test_a_display_name_change_marks_the_member(engine: AsyncEngine) -> None:
    db, member = await _member(engine)
    try:
        await SqlaProfileMembers(db).rename(member, "Ada")  # type: ignore[arg-type]
        assert db.changed_principals == {member}
    finally:
        await db.close()


async def test_claiming_an_erasure_now_marks_the_member(engine: AsyncEngine) -> None:
    db, member = await _member(engine)
    try:
        assert await SqlaErasureSchedule(db).claim_now(member, datetime.now(UTC))  # type: ignore[arg-type]
        assert db.changed_principals == {member}
    finally:
        await db.close()
