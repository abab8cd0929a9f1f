"""Assessments on SQL (table ``assessments``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, text, update

from saltbitter.adapters.sqlalchemy.accounts import SqlaConsentLedger
from saltbitter.adapters.sqlalchemy.shared_reads import (
    advisory_lock,
    current_sensitive_consent,
    latest_assessment_id,
)
from saltbitter.adapters.sqlalchemy.staging import CONFLICTS, StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_assessments import OVERALL_BAND, assessment_norms
from saltbitter.adapters.sqlalchemy.tables_members import assessments, profiles
from saltbitter.application.ports.assessments import (
    AssessmentRepository,
    MemberBirthdates,
    MemberConsents,
    NormsRepository,
    NormsSample,
    NormsSamples,
    ProfileValues,
    PublishedNorms,
    StoredAssessment,
)
from saltbitter.domain.attachment import AgeBand, AttachmentStyle, Norms, SubscaleNorm
from saltbitter.domain.compatibility import SchwartzValue, ValueRatings
from saltbitter.domain.shared import UserId

__all__ = [
    "SqlaAssessmentRepository",
    "SqlaMemberBirthdates",
    "SqlaMemberConsents",
    "SqlaNormsRepository",
    "SqlaNormsSamples",
    "SqlaProfileValues",
]

# Two runs in the same second (the nightly job and the command) name the same version.
CONFLICTS["pk_assessment_norms"] = (
    "These norms were published already.",
    "norms_version_exists",
)


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


class SqlaAssessmentRepository(AssessmentRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def lock_member(self, user_id: UserId) -> None:
        if self._db.dialect_name == "postgresql":
            # Held until commit or rollback: the second of two simultaneous submissions
            # waits here, then reads the first one's committed result and is refused.
            await self._db.execute(advisory_lock(b"assessments:", user_id))
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
        self._db.member_changed(assessment.user_id)  # matching reads the latest (ADR 0048)

    async def history(self, user_id: UserId) -> Sequence[StoredAssessment]:
        statement = (
            select(assessments)
            .where(assessments.c.user_id == user_id)
            .order_by(assessments.c.taken_at.desc(), assessments.c.id.desc())
        )
        return [_assessment(row) for row in await self._db.execute(statement)]


def _samples_statement() -> Any:
    latest_assessment = latest_assessment_id(per_instrument=True)
    current_consent = current_sensitive_consent()
    return (
        select(assessments.c.answers, users.c.birthdate)
        .select_from(users.join(assessments, assessments.c.id == latest_assessment))
        .where(current_consent.is_(True))
        .order_by(assessments.c.id)
    )


_SAMPLES = _samples_statement()


def _norms_row(norms: Norms, computed_at: object) -> dict[str, Any]:
    return {
        "instrument": norms.instrument_key,
        "version": norms.version,
        "age_band": OVERALL_BAND if norms.age_band is None else norms.age_band.value,
        "computed_at": computed_at,
        "sample_size": norms.sample_size or 0,
        "anxiety_mean": norms.anxiety.mean,
        "anxiety_sd": norms.anxiety.sd,
        "anxiety_alpha": norms.anxiety.alpha,
        "avoidance_mean": norms.avoidance.mean,
        "avoidance_sd": norms.avoidance.sd,
        "avoidance_alpha": norms.avoidance.alpha,
        "percentiles": {
            "anxiety": [list(point) for point in norms.anxiety.percentiles],
            "avoidance": [list(point) for point in norms.avoidance.percentiles],
        },
        "source": norms.source,
    }


def _subscale(row: Row[Any], name: str) -> SubscaleNorm:
    return SubscaleNorm(
        mean=row._mapping[f"{name}_mean"],
        sd=row._mapping[f"{name}_sd"],
        alpha=row._mapping[f"{name}_alpha"],
        percentiles=tuple((int(p), float(score)) for p, score in row.percentiles[name]),
    )


def _norms(row: Row[Any]) -> Norms:
    return Norms(
        instrument_key=row.instrument,
        anxiety=_subscale(row, "anxiety"),
        avoidance=_subscale(row, "avoidance"),
        version=row.version,
        source=row.source,
        is_prior=False,
        sample_size=row.sample_size,
        age_band=None if row.age_band == OVERALL_BAND else AgeBand(row.age_band),
    )


class SqlaNormsSamples(NormsSamples):
    """Joins the members, their consents and their assessments on one connection."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def samples(self, instrument: str) -> Sequence[NormsSample]:
        rows = await self._db.execute(_SAMPLES, {"instrument": instrument})
        return [
            NormsSample(
                answers={int(number): int(answer) for number, answer in row.answers.items()},
                birthdate=row.birthdate,
            )
            for row in rows
        ]


class SqlaNormsRepository(NormsRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    def add(self, norms: PublishedNorms) -> None:
        for part in (norms.overall, *norms.by_age_band):
            self._db.stage(assessment_norms, _norms_row(part, norms.computed_at))

    async def current(self, instrument: str) -> PublishedNorms | None:
        newest = (
            select(assessment_norms.c.version)
            .where(assessment_norms.c.instrument == instrument)
            .order_by(assessment_norms.c.computed_at.desc(), assessment_norms.c.version.desc())
            .limit(1)
            .scalar_subquery()
        )
        statement = select(assessment_norms).where(
            assessment_norms.c.instrument == instrument, assessment_norms.c.version == newest
        )
        rows = list(await self._db.execute(statement))
        overall = next((row for row in rows if row.age_band == OVERALL_BAND), None)
        if overall is None:
            return None
        bands = sorted(
            (_norms(row) for row in rows if row.age_band != OVERALL_BAND),
            key=lambda norms: list(AgeBand).index(norms.age_band or AgeBand.AGE_18_24),
        )
        return PublishedNorms(
            computed_at=overall.computed_at, overall=_norms(overall), by_age_band=tuple(bands)
        )


class SqlaMemberConsents(SqlaConsentLedger, MemberConsents):
    """Assessments' view of the ``consents`` ledger: the accounts adapter's own queries,
    append-only by construction (no UPDATE or DELETE)."""

    __slots__ = ()


class SqlaMemberBirthdates(MemberBirthdates):
    """Reads ``users.birthdate``."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def birthdate(self, user_id: UserId) -> date | None:
        statement = select(users.c.birthdate).where(users.c.id == user_id)
        found: date | None = (await self._db.execute(statement)).scalar_one_or_none()
        return found


class SqlaProfileValues(ProfileValues):
    """Updates the ``values`` column of ``profiles`` in one statement."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def set_values(self, user_id: UserId, values: ValueRatings, now: datetime) -> bool:
        ratings = dict(zip((v.value for v in SchwartzValue), values.as_tuple(), strict=True))
        statement = (
            update(profiles)
            .where(profiles.c.user_id == user_id)
            .values(values=ratings, updated_at=now)
        )
        self._db.member_changed(user_id)
        return (await self._db.execute(statement)).rowcount == 1
