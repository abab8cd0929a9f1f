"""The assessment repository contract, for the in-memory fake, SQLite and PostgreSQL.

Subclass :class:`AssessmentRepositoryContract` and provide a ``uow_factory`` fixture that
returns a callable making a fresh unit of work on one empty store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from saltbitter.application.ports.assessments import StoredAssessment
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.domain.accounts import User
from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.testing.builders import a_user

__all__ = ["AssessmentRepositoryContract", "an_assessment"]

UowFactory = Callable[[], UnitOfWork]
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def an_assessment(
    user: User,
    *,
    taken_at: datetime = T0,
    anxiety: float = 3.25,
    style: AttachmentStyle = AttachmentStyle.SECURE,
) -> StoredAssessment:
    return StoredAssessment(
        id=uuid4(),
        user_id=user.id,
        instrument="ecr-r",
        instrument_version="en-2013-06-05",
        answers={number: 1 + number % 7 for number in range(1, 37)},
        anxiety=anxiety,
        avoidance=2.0 + 1 / 3,
        style=style,
        near_boundary=True,
        taken_at=taken_at,
    )


class AssessmentRepositoryContract:
    uow_factory: UowFactory  # a pytest fixture in subclasses

    async def _members(self, uow_factory: UowFactory, count: int) -> list[User]:
        users = [a_user() for _ in range(count)]
        async with uow_factory() as uow:
            for user in users:
                uow.users.add(user)
            await uow.commit()
        return users

    async def test_a_member_without_assessments_has_no_latest_and_no_history(
        self, uow_factory: UowFactory
    ) -> None:
        [user] = await self._members(uow_factory, 1)
        async with uow_factory() as uow:
            assert await uow.assessments.latest(user.id) is None
            assert list(await uow.assessments.history(user.id)) == []

    async def test_an_assessment_round_trips_exactly(self, uow_factory: UowFactory) -> None:
        [user] = await self._members(uow_factory, 1)
        record = an_assessment(user, style=AttachmentStyle.FEARFUL)
        async with uow_factory() as uow:
            uow.assessments.add(record)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.assessments.latest(user.id)
        assert loaded == record
        assert loaded is not None
        assert all(type(number) is int for number in loaded.answers)  # JSON keys are strings
        assert loaded.taken_at.utcoffset() == timedelta(0)
        assert loaded.avoidance == 2.0 + 1 / 3  # unrounded

    async def test_history_is_newest_first_and_latest_is_its_head(
        self, uow_factory: UowFactory
    ) -> None:
        [user, other] = await self._members(uow_factory, 2)
        first = an_assessment(user, taken_at=T0)
        second = an_assessment(user, taken_at=T0 + timedelta(days=31), anxiety=5.5)
        theirs = an_assessment(other, taken_at=T0 + timedelta(days=90))
        async with uow_factory() as uow:
            uow.assessments.add(second)
            uow.assessments.add(first)
            uow.assessments.add(theirs)
            await uow.commit()
        async with uow_factory() as uow:
            history = await uow.assessments.history(user.id)
            latest = await uow.assessments.latest(user.id)
        assert [record.id for record in history] == [second.id, first.id]
        assert latest == second

    async def test_a_unit_of_work_reads_its_own_staged_assessment(
        self, uow_factory: UowFactory
    ) -> None:
        [user] = await self._members(uow_factory, 1)
        record = an_assessment(user)
        async with uow_factory() as uow:
            uow.assessments.add(record)
            assert await uow.assessments.latest(user.id) == record
        async with uow_factory() as uow:  # left without commit: rolled back
            assert await uow.assessments.latest(user.id) is None
