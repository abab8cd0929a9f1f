"""The assessments ports' contracts, for the in-memory fakes, SQLite and PostgreSQL.

Subclass the contracts with a ``request_scope`` fixture (see ``contracts.scopes``): the
ports come from one request scope per transaction, as a use case gets them.
"""

# The ports are Protocols: resolving them by their (abstract) class is the point.
# mypy: disable-error-code="type-abstract"

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.assessments import (
    AssessmentRepository,
    MemberBirthdates,
    MemberConsents,
    NormsRepository,
    NormsSamples,
    ProfileValues,
    PublishedNorms,
    StoredAssessment,
)
from saltbitter.application.ports.profiles import ProfileRepository
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord, User
from saltbitter.domain.attachment import AgeBand, AttachmentStyle, Norms, SubscaleNorm
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.builders_profiles import a_profile, some_values
from saltbitter.testing.contracts.scopes import RequestScope

__all__ = [
    "AssessmentRepositoryContract",
    "MemberBirthdatesContract",
    "MemberConsentsContract",
    "NormsRepositoryContract",
    "ProfileValuesContract",
    "an_assessment",
    "some_norms",
]

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Ports:
    """The ports these contracts use, on one request's connection."""

    transaction: Transaction
    users: UserRepository  # only to seed the members the rows belong to
    profiles: ProfileRepository  # only to seed and read back a profile
    assessments: AssessmentRepository
    norms: NormsRepository
    samples: NormsSamples
    consents: MemberConsents
    birthdates: MemberBirthdates
    profile_values: ProfileValues

    async def commit(self) -> None:
        await self.transaction.commit()


@asynccontextmanager
async def _transaction(request_scope: RequestScope) -> AsyncIterator[_Ports]:
    """One request scope and its transaction; leaving without ``commit`` rolls back."""
    async with request_scope() as r:
        ports = _Ports(
            await r.get(Transaction),
            await r.get(UserRepository),
            await r.get(ProfileRepository),
            await r.get(AssessmentRepository),
            await r.get(NormsRepository),
            await r.get(NormsSamples),
            await r.get(MemberConsents),
            await r.get(MemberBirthdates),
            await r.get(ProfileValues),
        )
        async with ports.transaction:
            yield ports


async def _members(request_scope: RequestScope, count: int) -> list[User]:
    users = [a_user() for _ in range(count)]
    async with _transaction(request_scope) as s:
        for user in users:
            s.users.add(user)
        await s.commit()
    return users


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
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_a_member_without_assessments_has_no_latest_and_no_history(
        self, request_scope: RequestScope
    ) -> None:
        [user] = await _members(request_scope, 1)
        async with _transaction(request_scope) as s:
            assert await s.assessments.latest(user.id) is None
            assert list(await s.assessments.history(user.id)) == []

    async def test_an_assessment_round_trips_exactly(self, request_scope: RequestScope) -> None:
        [user] = await _members(request_scope, 1)
        record = an_assessment(user, style=AttachmentStyle.FEARFUL)
        async with _transaction(request_scope) as s:
            s.assessments.add(record)
            await s.commit()
        async with _transaction(request_scope) as s:
            loaded = await s.assessments.latest(user.id)
        assert loaded == record
        assert loaded is not None
        assert all(type(number) is int for number in loaded.answers)  # JSON keys are strings
        assert loaded.taken_at.utcoffset() == timedelta(0)
        assert loaded.avoidance == 2.0 + 1 / 3  # unrounded

    async def test_history_is_newest_first_and_latest_is_its_head(
        self, request_scope: RequestScope
    ) -> None:
        [user, other] = await _members(request_scope, 2)
        first = an_assessment(user, taken_at=T0)
        second = an_assessment(user, taken_at=T0 + timedelta(days=31), anxiety=5.5)
        theirs = an_assessment(other, taken_at=T0 + timedelta(days=90))
        async with _transaction(request_scope) as s:
            s.assessments.add(second)
            s.assessments.add(first)
            s.assessments.add(theirs)
            await s.commit()
        async with _transaction(request_scope) as s:
            history = await s.assessments.history(user.id)
            latest = await s.assessments.latest(user.id)
        assert [record.id for record in history] == [second.id, first.id]
        assert latest == second

    async def test_a_transaction_reads_its_own_staged_assessment(
        self, request_scope: RequestScope
    ) -> None:
        [user] = await _members(request_scope, 1)
        record = an_assessment(user)
        async with _transaction(request_scope) as s:
            s.assessments.add(record)
            assert await s.assessments.latest(user.id) == record
        async with _transaction(request_scope) as s:  # left without commit: rolled back
            assert await s.assessments.latest(user.id) is None


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
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_no_norms_until_a_version_is_published(self, request_scope: RequestScope) -> None:
        async with _transaction(request_scope) as s:
            assert await s.norms.current("ecr-r") is None

    async def test_a_version_round_trips_and_the_newest_is_current(
        self, request_scope: RequestScope
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
        async with _transaction(request_scope) as s:
            s.norms.add(second)
            s.norms.add(first)
            await s.commit()
        async with _transaction(request_scope) as s:
            current = await s.norms.current("ecr-r")
            assert await s.norms.current("ecr-rs") is None
        assert current is not None
        assert current.version == "platform-2"
        assert current.computed_at == second.computed_at
        assert current.overall == second.overall
        # Bands come back in age order, whatever order they were stored in.
        assert current.by_age_band == (second.by_age_band[1], second.by_age_band[0])
        assert current.for_band(AgeBand.AGE_25_29).sample_size == 300
        assert current.for_band(AgeBand.AGE_50_PLUS) == current.overall

    async def test_publishing_a_version_twice_is_a_conflict(
        self, request_scope: RequestScope
    ) -> None:
        norms = PublishedNorms(T0, some_norms("platform-1"))
        async with _transaction(request_scope) as s:
            s.norms.add(norms)
            await s.commit()

        async def publish_again() -> None:  # the conflict may surface on add or on commit
            async with _transaction(request_scope) as s:
                s.norms.add(PublishedNorms(T0, some_norms("platform-1", sample_size=999)))
                await s.commit()

        with pytest.raises(Conflict) as conflict:
            await publish_again()
        assert conflict.value.code == "norms_version_exists"
        async with _transaction(request_scope) as s:
            current = await s.norms.current("ecr-r")
        assert current is not None
        assert current.overall.sample_size == 400

    async def test_samples_are_each_consenting_members_latest_answers(
        self, request_scope: RequestScope
    ) -> None:
        consenting, withdrawn, never_asked = await _members(request_scope, 3)
        older = an_assessment(consenting, taken_at=T0)
        newer = replace(
            an_assessment(consenting, taken_at=T0 + timedelta(days=40)),
            answers=dict.fromkeys(range(1, 37), 2),
        )
        async with _transaction(request_scope) as s:
            for record in (older, newer, an_assessment(withdrawn), an_assessment(never_asked)):
                s.assessments.add(record)
            s.consents.append(_consent(consenting, True, T0))
            s.consents.append(_consent(withdrawn, True, T0))
            s.consents.append(_consent(withdrawn, False, T0 + timedelta(days=1)))
            await s.commit()
        async with _transaction(request_scope) as s:
            samples = await s.samples.samples("ecr-r")
            assert await s.samples.samples("ecr-rs") == []
        assert [dict(sample.answers) for sample in samples] == [dict(newer.answers)]
        assert [sample.birthdate for sample in samples] == [consenting.birthdate]


class MemberConsentsContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_the_ledger_keeps_every_line_and_the_latest_is_current(
        self, request_scope: RequestScope
    ) -> None:
        ada, bo = await _members(request_scope, 2)
        first = _consent(ada, True, T0)
        withdrawn = _consent(ada, False, T0 + timedelta(days=1))
        theirs = _consent(bo, True, T0)
        async with _transaction(request_scope) as s:
            assert await s.consents.current(ada.id, ConsentPurpose.SENSITIVE_DATA) is None
            s.consents.append(first)
            s.consents.append(theirs)
            s.consents.append(withdrawn)
            await s.commit()
        async with _transaction(request_scope) as s:
            history = await s.consents.history(ada.id)
            current = await s.consents.current(ada.id, ConsentPurpose.SENSITIVE_DATA)
            assert await s.consents.current(ada.id, ConsentPurpose.MARKETING) is None
        assert list(history) == [first, withdrawn]  # oldest first, round-tripped exactly
        assert current == withdrawn

    async def test_an_uncommitted_line_is_gone(self, request_scope: RequestScope) -> None:
        [ada] = await _members(request_scope, 1)
        async with _transaction(request_scope) as s:
            s.consents.append(_consent(ada, True, T0))
            assert len(await s.consents.history(ada.id)) == 1
        async with _transaction(request_scope) as s:
            assert list(await s.consents.history(ada.id)) == []


class MemberBirthdatesContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_a_members_birthdate_and_none_for_nobody(
        self, request_scope: RequestScope
    ) -> None:
        [ada] = await _members(request_scope, 1)
        async with _transaction(request_scope) as s:
            assert await s.birthdates.birthdate(ada.id) == ada.birthdate
            assert await s.birthdates.birthdate(UserId(uuid4())) is None


class ProfileValuesContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_values_replace_only_the_ratings_of_an_existing_profile(
        self, request_scope: RequestScope
    ) -> None:
        ada, bo = await _members(request_scope, 2)
        profile = a_profile(ada.id, values=None, updated_at=T0)
        later = T0 + timedelta(hours=2)
        async with _transaction(request_scope) as s:
            await s.profiles.save(profile)
            await s.commit()
        async with _transaction(request_scope) as s:
            assert await s.profile_values.set_values(ada.id, some_values(), later) is True
            assert await s.profile_values.set_values(bo.id, some_values(), later) is False
            await s.commit()
        async with _transaction(request_scope) as s:
            stored = await s.profiles.get(ada.id)
            assert await s.profiles.get(bo.id) is None
        assert stored == replace(profile, values=some_values(), updated_at=later)
