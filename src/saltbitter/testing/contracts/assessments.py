"""The assessment repository contract, for the in-memory fake, SQLite and PostgreSQL.

Subclass :class:`AssessmentRepositoryContract` and provide a ``uow_factory`` fixture that
returns a callable making a fresh unit of work on one empty store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.ports.assessments import PublishedNorms, StoredAssessment
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord, User
from saltbitter.domain.attachment import AgeBand, AttachmentStyle, Norms, SubscaleNorm
from saltbitter.domain.errors import Conflict
from saltbitter.testing.builders import a_user

__all__ = [
    "AssessmentRepositoryContract",
    "NormsRepositoryContract",
    "an_assessment",
    "some_norms",
]

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


def some_norms(
    version: str = "platform-1", *, sample_size: int = 400, band: AgeBand | None = None
) -> Norms:
    return Norms(
        instrument_key="ecr-r",
        anxiety=SubscaleNorm(3.5, 1.25, 0.93, ((5, 1.6), (50, 3.5), (95, 5.4))),
        avoidance=SubscaleNorm(2.75, 1.0 + 1 / 3, 0.9, ((5, 1.2), (50, 2.7), (95, 4.9))),
        version=version,
        source=f"Platform norms from {sample_size} complete responses.",
        is_prior=False,
        sample_size=sample_size,
        age_band=band,
    )


def _consent(user: User, granted: bool, at: datetime) -> ConsentRecord:
    return ConsentRecord(user.id, ConsentPurpose.SENSITIVE_DATA, granted, "p-1", at)


class NormsRepositoryContract:
    uow_factory: UowFactory  # a pytest fixture in subclasses

    async def test_no_norms_until_a_version_is_published(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            assert await uow.norms.current("ecr-r") is None

    async def test_a_version_round_trips_and_the_newest_is_current(
        self, uow_factory: UowFactory
    ) -> None:
        first = PublishedNorms(T0, some_norms("platform-1"))
        second = PublishedNorms(
            T0 + timedelta(days=1),
            some_norms("platform-2", sample_size=900),
            (
                some_norms("platform-2", sample_size=300, band=AgeBand.AGE_25_29),
                some_norms("platform-2", sample_size=350, band=AgeBand.AGE_18_24),
            ),
        )
        async with uow_factory() as uow:
            uow.norms.add(second)
            uow.norms.add(first)
            await uow.commit()
        async with uow_factory() as uow:
            current = await uow.norms.current("ecr-r")
            assert await uow.norms.current("ecr-rs") is None
        assert current is not None
        assert current.version == "platform-2"
        assert current.computed_at == second.computed_at
        assert current.overall == second.overall
        # Bands come back in age order, whatever order they were stored in.
        assert current.by_age_band == (second.by_age_band[1], second.by_age_band[0])
        assert current.for_band(AgeBand.AGE_25_29).sample_size == 300
        assert current.for_band(AgeBand.AGE_50_PLUS) == current.overall

    async def test_publishing_a_version_twice_is_a_conflict(self, uow_factory: UowFactory) -> None:
        norms = PublishedNorms(T0, some_norms("platform-1"))
        async with uow_factory() as uow:
            uow.norms.add(norms)
            await uow.commit()

        async def publish_again() -> None:  # the conflict may surface on add or on commit
            async with uow_factory() as uow:
                uow.norms.add(PublishedNorms(T0, some_norms("platform-1", sample_size=999)))
                await uow.commit()

        with pytest.raises(Conflict) as conflict:
            await publish_again()
        assert conflict.value.code == "norms_version_exists"
        async with uow_factory() as uow:
            current = await uow.norms.current("ecr-r")
        assert current is not None
        assert current.overall.sample_size == 400

    async def test_samples_are_each_consenting_members_latest_answers(
        self, uow_factory: UowFactory
    ) -> None:
        consenting, withdrawn, never_asked = await self._members(uow_factory, 3)
        older = an_assessment(consenting, taken_at=T0)
        newer = replace(
            an_assessment(consenting, taken_at=T0 + timedelta(days=40)),
            answers=dict.fromkeys(range(1, 37), 2),
        )
        async with uow_factory() as uow:
            for record in (older, newer, an_assessment(withdrawn), an_assessment(never_asked)):
                uow.assessments.add(record)
            uow.consents.append(_consent(consenting, True, T0))
            uow.consents.append(_consent(withdrawn, True, T0))
            uow.consents.append(_consent(withdrawn, False, T0 + timedelta(days=1)))
            await uow.commit()
        async with uow_factory() as uow:
            samples = await uow.norms.samples("ecr-r")
            assert await uow.norms.samples("ecr-rs") == []
        assert [dict(sample.answers) for sample in samples] == [dict(newer.answers)]
        assert [sample.birthdate for sample in samples] == [consenting.birthdate]

    async def _members(self, uow_factory: UowFactory, count: int) -> list[User]:
        users = [a_user() for _ in range(count)]
        async with uow_factory() as uow:
            for user in users:
                uow.users.add(user)
            await uow.commit()
        return users
