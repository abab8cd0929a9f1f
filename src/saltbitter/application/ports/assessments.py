"""Ports of the attachment-assessment capability (issue 4)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord
from saltbitter.domain.attachment import AgeBand, AttachmentStyle, Norms
from saltbitter.domain.compatibility import ValueRatings
from saltbitter.domain.shared import UserId

__all__ = [
    "AssessmentRepository",
    "MemberBirthdates",
    "MemberConsents",
    "NormsRepository",
    "NormsSample",
    "NormsSamples",
    "ProfileValues",
    "PublishedNorms",
    "StoredAssessment",
]


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """One completed assessment as kept (table ``assessments``); answers stay private."""

    id: UUID
    user_id: UserId
    instrument: str
    instrument_version: str
    answers: Mapping[int, int]
    anxiety: float
    avoidance: float
    style: AttachmentStyle
    near_boundary: bool
    taken_at: datetime


class AssessmentRepository(Protocol):
    """Every assessment a member took (table ``assessments``)."""

    @abstractmethod
    async def lock_member(self, user_id: UserId) -> None:
        """Serialise assessment submissions of one member until the transaction ends, so
        the retake rule sees any result a concurrent submission stored."""

    @abstractmethod
    async def latest(self, user_id: UserId) -> StoredAssessment | None:
        """The member's most recent assessment, if any."""

    @abstractmethod
    def add(self, assessment: StoredAssessment) -> None:
        """Stage a completed assessment; earlier ones are kept as history."""

    @abstractmethod
    async def history(self, user_id: UserId) -> Sequence[StoredAssessment]:
        """Every assessment of the member, most recent first."""


@dataclass(frozen=True, slots=True)
class NormsSample:
    """One member's latest completion of an instrument, as the norms job reads it."""

    answers: Mapping[int, int]
    birthdate: date | None


@dataclass(frozen=True, slots=True)
class PublishedNorms:
    """One version of the platform's own norms of an instrument (table ``assessment_norms``):
    the overall norms and those of every age band that had enough responses."""

    computed_at: datetime
    overall: Norms
    by_age_band: tuple[Norms, ...] = ()

    @property
    def version(self) -> str:
        return self.overall.version

    def for_band(self, band: AgeBand | None) -> Norms:
        """The band's norms when they were computed, otherwise the overall norms."""
        if band is None:
            return self.overall
        return next((norms for norms in self.by_age_band if norms.age_band is band), self.overall)


class NormsSamples(Protocol):
    """The answers the norms are computed from (the SQL adapter joins the members and
    their consents)."""

    @abstractmethod
    async def samples(self, instrument: str) -> Sequence[NormsSample]:
        """The latest completion of ``instrument`` of every member whose current
        ``sensitive_data`` consent is granted (a withdrawn consent takes them out)."""


class NormsRepository(Protocol):
    """The platform's versioned norms (table ``assessment_norms``)."""

    @abstractmethod
    def add(self, norms: PublishedNorms) -> None:
        """Stage a new version; earlier versions are kept. A version that exists already
        is a ``Conflict`` (``norms_version_exists``), at the latest on commit."""

    @abstractmethod
    async def current(self, instrument: str) -> PublishedNorms | None:
        """The most recently computed version for ``instrument``, if any."""


class MemberConsents(Protocol):
    """The member's side of the consent ledger (table ``consents``), as the consent
    screens and the assessment's consent check use it. Append-only."""

    @abstractmethod
    def append(self, record: ConsentRecord) -> None: ...

    @abstractmethod
    async def history(self, user_id: UserId) -> Sequence[ConsentRecord]:
        """Every record of the member, oldest first."""

    @abstractmethod
    async def current(self, user_id: UserId, purpose: ConsentPurpose) -> ConsentRecord | None:
        """The member's latest record of ``purpose``, if any."""


class MemberBirthdates(Protocol):
    """Members' birthdates: results are scored against the norms of their age band."""

    @abstractmethod
    async def birthdate(self, user_id: UserId) -> date | None:
        """None when there is no such member."""


class ProfileValues(Protocol):
    """Where the values questionnaire puts its scores: the profile's ten value ratings."""

    @abstractmethod
    async def set_values(self, user_id: UserId, values: ValueRatings, now: datetime) -> bool:
        """Replace the ratings of the member's profile (``updated_at`` becomes ``now``);
        False when the member has no profile."""
