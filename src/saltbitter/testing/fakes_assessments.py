"""In-memory fakes of the assessments ports (issue 4): assessments, norms, the answers
they are computed from, the member's consents and birthdates (read from the accounts'
state of the same connection, as the SQL adapters read the accounts' tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from saltbitter.application.ports.assessments import (
    AssessmentRepository,
    MemberBirthdates,
    MemberConsents,
    NormsRepository,
    NormsSample,
    NormsSamples,
    PublishedNorms,
    StoredAssessment,
)
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord, User
from saltbitter.domain.attachment import AgeBand
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes import InMemoryConsentLedger
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "AssessmentsState",
    "InMemoryAssessmentRepository",
    "InMemoryMemberBirthdates",
    "InMemoryMemberConsents",
    "InMemoryNormsRepository",
    "InMemoryNormsSamples",
]


@dataclass
class AssessmentsState:
    """Committed assessments and norms of one in-memory database, oldest first."""

    records: list[StoredAssessment] = field(default_factory=list)
    norms: list[PublishedNorms] = field(default_factory=list)


class _OnAssessments(InMemoryRepository):
    @property
    def _state(self) -> AssessmentsState:
        return self._connection.state(AssessmentsState)


class InMemoryAssessmentRepository(_OnAssessments, AssessmentRepository):
    async def lock_member(self, user_id: UserId) -> None:
        """Nothing to do: an in-memory transaction publishes whole snapshots."""

    async def latest(self, user_id: UserId) -> StoredAssessment | None:
        mine = await self.history(user_id)
        return mine[0] if mine else None

    def add(self, assessment: StoredAssessment) -> None:
        self._state.records.append(assessment)

    async def history(self, user_id: UserId) -> Sequence[StoredAssessment]:
        mine = [record for record in self._state.records if record.user_id == user_id]
        # Same order as SQL: newest first, ties broken by id.
        return sorted(mine, key=lambda record: (record.taken_at, record.id), reverse=True)


_BAND_ORDER: list[AgeBand | None] = [None, *AgeBand]


class InMemoryNormsSamples(_OnAssessments, NormsSamples):
    """Reads the users and the consent ledger of the same working copy."""

    @property
    def _users(self) -> Mapping[UserId, User]:
        return self._connection.state(AccountsState).users

    @property
    def _consents(self) -> Sequence[ConsentRecord]:
        return self._connection.state(AccountsState).consents

    async def samples(self, instrument: str) -> Sequence[NormsSample]:
        granted: dict[UserId, bool] = {}
        for record in self._consents:  # in ledger order: the last line is the state
            if record.purpose is ConsentPurpose.SENSITIVE_DATA:
                granted[record.user_id] = record.granted
        latest: dict[UserId, StoredAssessment] = {}
        for stored in sorted(self._state.records, key=lambda r: (r.taken_at, r.id)):
            if stored.instrument == instrument:
                latest[stored.user_id] = stored
        return [
            NormsSample(dict(record.answers), self._users[user_id].birthdate)
            for user_id, record in sorted(latest.items(), key=lambda item: item[1].id)
            if granted.get(user_id, False) and user_id in self._users
        ]


class InMemoryNormsRepository(_OnAssessments, NormsRepository):
    def add(self, norms: PublishedNorms) -> None:
        key = (norms.overall.instrument_key, norms.version)
        if any((n.overall.instrument_key, n.version) == key for n in self._state.norms):
            raise Conflict("These norms were published already.", code="norms_version_exists")
        self._state.norms.append(norms)

    async def current(self, instrument: str) -> PublishedNorms | None:
        mine = [n for n in self._state.norms if n.overall.instrument_key == instrument]
        # Same order as SQL: newest computation first, ties broken by version.
        newest = max(mine, key=lambda n: (n.computed_at, n.version), default=None)
        if newest is None:
            return None
        bands = sorted(newest.by_age_band, key=lambda n: _BAND_ORDER.index(n.age_band))
        return replace(newest, by_age_band=tuple(bands))


class _OnAccounts(InMemoryRepository):
    @property
    def _accounts(self) -> AccountsState:
        return self._connection.state(AccountsState)


class InMemoryMemberConsents(InMemoryConsentLedger, MemberConsents):
    """The accounts' consent ledger, oldest first; only ever appended to."""


class InMemoryMemberBirthdates(_OnAccounts, MemberBirthdates):
    async def birthdate(self, user_id: UserId) -> date | None:
        user = self._accounts.users.get(user_id)
        return None if user is None else user.birthdate
