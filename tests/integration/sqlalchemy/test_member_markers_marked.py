"""Writes of what a discovery card shows mark the member, and the commit hands the marked
members to ``members_changed`` (ADR 0048): a rollback hands over nobody.

On PostgreSQL, through the real adapters on one ``StagedConnection``, as a request runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.accounts import SqlaConsentLedger, SqlaUserRepository
from saltbitter.adapters.sqlalchemy.assessments import SqlaProfileValues
from saltbitter.adapters.sqlalchemy.profiles import (
    SqlaPhotoRepository,
    SqlaProfileMembers,
    SqlaProfileRepository,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.builders_profiles import a_photo, a_profile, some_values

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
Write = Callable[[StagedConnection, UserId], Awaitable[object]]


class Marked:
    def __init__(self) -> None:
        self.calls: list[set[UserId]] = []

    async def __call__(self, members: Collection[UserId]) -> None:
        self.calls.append(set(members))


async def _member(engine: AsyncEngine) -> UserId:
    db = StagedConnection(engine)
    try:
        async with SqlaTransaction(db) as transaction:
            user = a_user()
            SqlaUserRepository(db).add(user)
            await SqlaProfileRepository(db).save(a_profile(user.id))
            SqlaPhotoRepository(db).add(a_photo(user.id, position=0))
            SqlaPhotoRepository(db).add(a_photo(user.id, position=1))
            await transaction.commit()
        return user.id
    finally:
        await db.close()


async def _save_profile(db: StagedConnection, member: UserId) -> None:
    await SqlaProfileRepository(db).save(a_profile(member, bio="Changed."))


async def _add_photo(db: StagedConnection, member: UserId) -> None:
    SqlaPhotoRepository(db).add(a_photo(member, position=2))


async def _delete_photo(db: StagedConnection, member: UserId) -> None:
    photos = SqlaPhotoRepository(db)
    first = (await photos.list_for(member))[0]
    assert await photos.delete(first.id)


async def _reorder_photos(db: StagedConnection, member: UserId) -> None:
    photos = SqlaPhotoRepository(db)
    ids = [photo.id for photo in await photos.list_for(member)]
    await photos.save_order(member, list(reversed(ids)))


async def _set_values(db: StagedConnection, member: UserId) -> None:
    assert await SqlaProfileValues(db).set_values(member, some_values(), NOW)


async def _withdraw_consent(db: StagedConnection, member: UserId) -> None:
    record = ConsentRecord(member, ConsentPurpose.SENSITIVE_DATA, False, "v1", NOW)
    SqlaConsentLedger(db).append(record)


async def _rename(db: StagedConnection, member: UserId) -> None:
    await SqlaProfileMembers(db).rename(member, "Renamed")


WRITES: list[Write] = [
    _save_profile,
    _add_photo,
    _delete_photo,
    _reorder_photos,
    _set_values,
    _withdraw_consent,
    _rename,
]


async def _written(engine: AsyncEngine, write: Write, *, commit: bool) -> list[set[UserId]]:
    """What ``members_changed`` was handed over for ``write`` on a fresh member, its
    transaction committed or rolled back (then a later commit of nothing)."""
    member = await _member(engine)
    marked = Marked()
    db = StagedConnection(engine)
    try:
        async with SqlaTransaction(db, members_changed=marked) as transaction:
            await write(db, member)
            assert marked.calls == []  # nothing before the commit
            if commit:
                await transaction.commit()
        if not commit:
            async with SqlaTransaction(db, members_changed=marked) as transaction:
                await transaction.commit()  # names nobody: the rolled-back marks are gone
    finally:
        await db.close()
    assert all(calls <= {member} for calls in marked.calls)
    return marked.calls


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__.strip("_"))
async def test_a_committed_write_hands_its_member_over(engine: AsyncEngine, write: Write) -> None:
    calls = await _written(engine, write, commit=True)
    assert len(calls) == 1
    assert len(calls[0]) == 1


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__.strip("_"))
async def test_a_rolled_back_write_hands_over_nobody(engine: AsyncEngine, write: Write) -> None:
    assert await _written(engine, write, commit=False) == []
