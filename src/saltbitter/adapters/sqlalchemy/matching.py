"""Swipes, matches, daily sets and candidate reads on SQL.

The candidate reads join tables other capabilities own (``users``, ``profiles``,
``assessments``, ``consents``): their columns were fixed together for this (ADR 0007).
Writes that decide a race run at once with ``INSERT ... ON CONFLICT DO NOTHING`` and
report whether they took effect, so the database's keys, not a prior read, decide.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import (
    Insert,
    Row,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import ColumnElement

from saltbitter.adapters.sqlalchemy.shared_reads import (
    advisory_lock,
    current_sensitive_consent,
    latest_assessment_id,
)
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_members import (
    assessments,
    daily_set_entries,
    daily_set_runs,
    discover_allotments,
    matches,
    profiles,
    swipes,
)
from saltbitter.application.matching.members import member_record
from saltbitter.application.ports.matching import (
    DailySet,
    DailySetEntry,
    LikeReceived,
    MatchingRepository,
    MemberRecord,
    StoredMatch,
)
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.compatibility import (
    EARTH_RADIUS_KM,
    CandidateProfile,
    CompatibilityPolicy,
    ComponentScores,
    DocumentFrequencies,
    PairHistory,
)
from saltbitter.domain.matching import Decision, MatchPair, MatchStatus, PairState
from saltbitter.domain.shared import UserId

__all__ = ["SqlaMatchingRepository"]

# IN lists are split so no statement exceeds SQLite's bound-parameter limit.
_CHUNK = 500
_T = TypeVar("_T")
_MEMBER_STATUSES = (AccountStatus.ACTIVE.value, AccountStatus.SUSPENDED.value)
# Bounding boxes are widened a little so float rounding never drops someone at the edge.
_BOX_MARGIN_DEGREES = 0.01


def _chunks(items: Iterable[_T]) -> list[list[_T]]:
    listed = list(items)
    return [listed[start : start + _CHUNK] for start in range(0, len(listed), _CHUNK)]


def _members_statement() -> Any:
    latest_assessment = latest_assessment_id()
    current_consent = current_sensitive_consent()
    joined = users.join(profiles, profiles.c.user_id == users.c.id).outerjoin(
        assessments, assessments.c.id == latest_assessment
    )
    return (
        select(
            users.c.id,
            users.c.status,
            users.c.tier,
            users.c.display_name,
            users.c.birthdate,
            users.c.timezone,
            profiles.c.gender,
            profiles.c.genders_sought,
            profiles.c.age_min,
            profiles.c.age_max,
            profiles.c.bio,
            profiles.c.interests,
            profiles.c.relationship_goal,
            profiles.c["values"],
            profiles.c.latitude,
            profiles.c.longitude,
            profiles.c.max_distance_km,
            profiles.c.visibility,
            profiles.c.updated_at,
            assessments.c.anxiety,
            assessments.c.avoidance,
            current_consent.label("granted"),
        )
        .select_from(joined)
        .where(users.c.status.in_(_MEMBER_STATUSES))
    )


# Built once: a statement object memoizes its cache key, so the hot per-request read of a
# page of members (``members(now, ids)``) skips rebuilding the correlated subqueries and
# recomputing the key on every call; the ids go in as an expanding parameter.
_MEMBERS = _members_statement()
_MEMBERS_BY_ID = _MEMBERS.where(users.c.id.in_(bindparam("user_ids", expanding=True)))


def _member(row: Row[Any], now: datetime) -> MemberRecord | None:
    mapping = row._mapping
    return member_record(
        user_id=UserId(row.id),
        status=row.status,
        tier=row.tier,
        display_name=row.display_name,
        birthdate=row.birthdate,
        timezone=row.timezone,
        gender=row.gender,
        genders_sought=[g for g in row.genders_sought.split(",") if g],
        age_min=row.age_min,
        age_max=row.age_max,
        bio=row.bio,
        interests=row.interests,
        relationship_goal=row.relationship_goal,
        values=mapping["values"],  # not row.values: keep clear of Row's own names
        latitude=row.latitude,
        longitude=row.longitude,
        max_distance_km=row.max_distance_km,
        paused=row.visibility == "paused",
        updated_at=row.updated_at,
        attachment=None if row.anxiety is None else (row.anxiety, row.avoidance),
        sensitive_data_consent=bool(row.granted),
        now=now,
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _birthdate_window(youngest: int, oldest: int, now: datetime) -> tuple[date, date]:
    """Birthdates of everyone aged ``youngest``..``oldest`` on any local date near now."""
    # A member's local date is within a day of the UTC date; widen by two to be safe.
    today = now.date()
    earliest = _years_before(today, oldest + 1) - timedelta(days=2)
    latest = _years_before(today, youngest) + timedelta(days=2)
    return earliest, latest


def _near(viewer: CandidateProfile) -> ColumnElement[bool]:
    """A bounding box holding every point within the viewer's max distance.

    On a sphere, points within r of (φ, λ) differ in latitude by at most r/R and in
    longitude by at most asin(sin(r/R)/cos φ) while the cap does not reach a pole.
    """
    angle = viewer.max_distance_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle) + _BOX_MARGIN_DEGREES
    lat_low, lat_high = viewer.latitude - dlat, viewer.latitude + dlat
    conditions: list[ColumnElement[bool]] = [
        profiles.c.latitude >= lat_low,
        profiles.c.latitude <= lat_high,
    ]
    reach = math.sin(min(angle, math.pi / 2))
    widest = math.cos(math.radians(min(90.0, max(abs(lat_low), abs(lat_high)))))
    if lat_low > -90.0 and lat_high < 90.0 and reach < widest:
        dlon = math.degrees(math.asin(reach / widest)) + _BOX_MARGIN_DEGREES
        west, east = viewer.longitude - dlon, viewer.longitude + dlon
        if west < -180.0:
            conditions.append(
                or_(profiles.c.longitude >= west + 360.0, profiles.c.longitude <= east)
            )
        elif east > 180.0:
            conditions.append(
                or_(profiles.c.longitude >= west, profiles.c.longitude <= east - 360.0)
            )
        else:
            conditions.append(profiles.c.longitude.between(west, east))
    return and_(*conditions)


def _components(raw: Mapping[str, float]) -> ComponentScores:
    return ComponentScores(
        attachment=float(raw["attachment"]),
        interests=float(raw["interests"]),
        values=float(raw["values"]),
        demographics=float(raw["demographics"]),
    )


def _match(row: Row[Any]) -> StoredMatch:
    return StoredMatch(
        id=row.id,
        pair=MatchPair(UserId(row.user_low), UserId(row.user_high)),
        created_at=row.created_at,
        unmatched_at=row.unmatched_at,
        unmatched_by=None if row.unmatched_by is None else UserId(row.unmatched_by),
    )


class SqlaMatchingRepository(MatchingRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    @property
    def _dialect(self) -> str:
        return self._db.dialect_name

    def _insert(self, table: Any) -> Insert:
        if self._dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if self._dialect == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing()
        raise NotImplementedError(f"no ON CONFLICT for the {self._dialect} dialect")

    # Blocks (read port owned by matching) -------------------------------------------

    async def blocked_between(
        self,
        viewer_id: UserId,  # noqa: ARG002 - read once the safety capability's table exists
        target_ids: Collection[UserId],  # noqa: ARG002
    ) -> frozenset[UserId]:
        # No blocks table yet (docs/product-rules.md 7): nobody is blocked. When it lands,
        # this selects from it on the same connection, inside the caller's transaction.
        return frozenset()

    # Candidate reads ---------------------------------------------------------------

    async def members(
        self, now: datetime, user_ids: Collection[UserId] | None = None
    ) -> Sequence[MemberRecord]:
        if user_ids is None:
            rows = list(await self._db.execute(_MEMBERS))
        else:
            rows = []
            for chunk in _chunks(set(user_ids)):
                rows.extend(await self._db.execute(_MEMBERS_BY_ID, {"user_ids": chunk}))
        found = (_member(row, now) for row in rows)
        return [member for member in found if member is not None]

    async def nearby_members(
        self, viewer: CandidateProfile, now: datetime, policy: CompatibilityPolicy
    ) -> Sequence[MemberRecord]:
        tolerance = policy.age_tolerance_years
        earliest, latest = _birthdate_window(
            viewer.age_min - tolerance, viewer.age_max + tolerance, now
        )
        statement = _MEMBERS.where(
            users.c.status == AccountStatus.ACTIVE.value,
            profiles.c.visibility == "visible",
            users.c.id != viewer.user_id,
            profiles.c.gender.in_([gender.value for gender in viewer.genders_sought]),
            # genders_sought is comma-joined: delimit it so "man" never matches "woman".
            (literal(",") + profiles.c.genders_sought + literal(",")).like(
                f"%,{viewer.gender.value},%"
            ),
            users.c.birthdate.between(earliest, latest),
            profiles.c.age_min - tolerance <= viewer.age,
            profiles.c.age_max + tolerance >= viewer.age,
            _near(viewer),
        )
        found = (_member(row, now) for row in await self._db.execute(statement))
        return [member for member in found if member is not None]

    async def interest_frequencies(self) -> DocumentFrequencies:
        if self._dialect == "postgresql":
            counting = text(
                "SELECT tag, count(DISTINCT p.user_id) AS members "
                "FROM profiles AS p, jsonb_array_elements_text(p.interests) AS tag GROUP BY tag"
            )
        else:
            counting = text(
                "SELECT tag.value AS tag, count(DISTINCT p.user_id) AS members "
                "FROM profiles AS p, json_each(p.interests) AS tag GROUP BY tag.value"
            )
        counts = {row.tag: int(row.members) for row in await self._db.execute(counting)}
        total = (await self._db.execute(select(func.count()).select_from(profiles))).scalar_one()
        return DocumentFrequencies(total_users=int(total), counts=counts)

    async def pair_histories(
        self, viewers: Collection[UserId], candidates: Collection[UserId] | None = None
    ) -> Sequence[tuple[UserId, UserId, PairHistory]]:
        wanted = set(viewers)
        others = None if candidates is None else list(set(candidates))
        facts: dict[tuple[UserId, UserId], dict[str, bool]] = {}

        def note(viewer: UserId, other: UserId, fact: str) -> None:
            if viewer in wanted and (others is None or other in others):
                facts.setdefault((viewer, other), {})[fact] = True

        for chunk in _chunks(wanted):
            swipe_rows = await self._db.execute(
                select(swipes.c.actor_id, swipes.c.target_id, swipes.c.decision).where(
                    or_(swipes.c.actor_id.in_(chunk), swipes.c.target_id.in_(chunk))
                )
            )
            for actor, target, decision in swipe_rows:
                liked = decision == Decision.LIKE.value
                note(UserId(actor), UserId(target), "viewer_liked" if liked else "viewer_passed")
                note(
                    UserId(target),
                    UserId(actor),
                    "candidate_liked" if liked else "candidate_passed",
                )
            match_rows = await self._db.execute(
                select(matches.c.user_low, matches.c.user_high).where(
                    or_(matches.c.user_low.in_(chunk), matches.c.user_high.in_(chunk))
                )
            )
            for low, high in match_rows:
                note(UserId(low), UserId(high), "matched")
                note(UserId(high), UserId(low), "matched")
        return [(viewer, other, PairHistory(**flags)) for (viewer, other), flags in facts.items()]

    # Swipes and matches ------------------------------------------------------------

    async def lock_pair(self, pair: MatchPair) -> None:
        if self._dialect == "postgresql":
            # Held until commit or rollback: the second of two crossing likes waits here,
            # then sees the first one's committed like.
            await self._db.execute(advisory_lock(b"", pair.first, pair.second))
        else:
            # SQLite has one writer at a time: a write that matches nothing takes the
            # database's write lock now, so later reads in this transaction are current.
            await self._db.execute(text("UPDATE swipes SET decision = decision WHERE 0 = 1"))

    async def record_swipe(
        self, actor: UserId, target: UserId, decision: Decision, at: datetime
    ) -> bool:
        statement = (
            self._insert(swipes)
            .values(actor_id=actor, target_id=target, decision=decision.value, created_at=at)
            .returning(swipes.c.actor_id)
        )
        # A row comes back only when the insert happened (not on conflict).
        return (await self._db.execute(statement)).first() is not None

    async def pair_state(self, actor: UserId, target: UserId) -> PairState:
        rows = await self._db.execute(
            select(swipes.c.actor_id, swipes.c.decision).where(
                or_(
                    and_(swipes.c.actor_id == actor, swipes.c.target_id == target),
                    and_(swipes.c.actor_id == target, swipes.c.target_id == actor),
                )
            )
        )
        decisions = {UserId(row.actor_id): Decision(row.decision) for row in rows}
        pair = MatchPair(actor, target)
        match = (
            await self._db.execute(
                select(matches.c.unmatched_at).where(
                    matches.c.user_low == pair.first, matches.c.user_high == pair.second
                )
            )
        ).one_or_none()
        status = None
        if match is not None:
            status = MatchStatus.ACTIVE if match.unmatched_at is None else MatchStatus.ENDED
        return PairState(
            actor_decision=decisions.get(actor),
            target_decision=decisions.get(target),
            match_status=status,
        )

    async def create_match(
        self, match_id: UUID, pair: MatchPair, at: datetime
    ) -> tuple[StoredMatch, bool]:
        inserted = await self._db.execute(
            self._insert(matches)
            .values(id=match_id, user_low=pair.first, user_high=pair.second, created_at=at)
            .returning(matches.c.id)
        )
        created = inserted.first() is not None
        row = (
            await self._db.execute(
                select(matches).where(
                    matches.c.user_low == pair.first, matches.c.user_high == pair.second
                )
            )
        ).one()
        return _match(row), created

    async def get_match(self, match_id: UUID) -> StoredMatch | None:
        row = (
            await self._db.execute(select(matches).where(matches.c.id == match_id))
        ).one_or_none()
        return None if row is None else _match(row)

    async def end_match(self, match_id: UUID, by: UserId, at: datetime) -> None:
        await self._db.execute(
            update(matches)
            .where(matches.c.id == match_id, matches.c.unmatched_at.is_(None))
            .values(unmatched_at=at, unmatched_by=by)
        )

    async def active_matches(
        self, user: UserId, limit: int, before: tuple[datetime, UUID] | None = None
    ) -> Sequence[StoredMatch]:
        statement = select(matches).where(
            or_(matches.c.user_low == user, matches.c.user_high == user),
            matches.c.unmatched_at.is_(None),
        )
        if before is not None:
            at, last = before
            statement = statement.where(
                or_(
                    matches.c.created_at < at,
                    and_(matches.c.created_at == at, matches.c.id < last),
                )
            )
        statement = statement.order_by(matches.c.created_at.desc(), matches.c.id.desc()).limit(
            limit
        )
        return [_match(row) for row in await self._db.execute(statement)]

    async def likes_received(
        self, user: UserId, limit: int, before: tuple[datetime, UserId] | None = None
    ) -> Sequence[LikeReceived]:
        answer = swipes.alias("answer")
        statement = select(swipes.c.actor_id, swipes.c.created_at).where(
            swipes.c.target_id == user,
            swipes.c.decision == Decision.LIKE.value,
            ~select(answer.c.actor_id)
            .where(answer.c.actor_id == user, answer.c.target_id == swipes.c.actor_id)
            .exists(),
        )
        if before is not None:
            at, last = before
            statement = statement.where(
                or_(
                    swipes.c.created_at < at,
                    and_(swipes.c.created_at == at, swipes.c.actor_id < last),
                )
            )
        statement = statement.order_by(swipes.c.created_at.desc(), swipes.c.actor_id.desc()).limit(
            limit
        )
        return [
            LikeReceived(liker=UserId(row.actor_id), liked_at=row.created_at)
            for row in await self._db.execute(statement)
        ]

    # Daily sets ----------------------------------------------------------------------

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
        for chunk in _chunks(sets):
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
        entries = [
            {
                "user_id": user,
                "local_date": by_user[user].local_date,
                "position": position,
                "candidate_id": entry.candidate_id,
                "total": entry.total,
                "components": {
                    "attachment": entry.components.attachment,
                    "interests": entry.components.interests,
                    "values": entry.components.values,
                    "demographics": entry.components.demographics,
                },
                "reasons": list(entry.reasons),
            }
            for user in saved
            for position, entry in enumerate(by_user[user].entries)
        ]
        if entries:
            # One executemany (psycopg pipelines it): measured no slower than multi-row
            # VALUES, whose compilation costs more than the round trips it saves.
            await self._db.execute(daily_set_entries.insert(), entries)
        return saved

    async def recent_exposure(self, since: datetime) -> dict[UserId, int]:
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
            .where(daily_set_runs.c.created_at >= since)
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

    # Discovery -----------------------------------------------------------------------

    async def allot_discover(
        self, user: UserId, local_date: date, offered: Sequence[UserId], allowance: int
    ) -> set[UserId]:
        if self._dialect == "postgresql":
            # Held until commit or rollback: a concurrent page of the same member waits
            # here, then counts this one's allotment.
            await self._db.execute(advisory_lock(b"discover-allotment", user))
        # A write first: on SQLite it takes the database's write lock for the count below.
        await self._db.execute(
            delete(discover_allotments).where(
                discover_allotments.c.user_id == user,
                discover_allotments.c.local_date < local_date - timedelta(days=1),
            )
        )
        rows = await self._db.execute(
            select(discover_allotments.c.candidate_id).where(
                discover_allotments.c.user_id == user,
                discover_allotments.c.local_date == local_date,
            )
        )
        allotted = {UserId(row.candidate_id) for row in rows}
        new: list[UserId] = []
        for candidate in offered:
            if len(allotted) + len(new) >= allowance:
                break
            if candidate not in allotted and candidate not in new:
                new.append(candidate)
        for chunk in _chunks(new):
            await self._db.execute(
                self._insert(discover_allotments).values(
                    [
                        {"user_id": user, "local_date": local_date, "candidate_id": candidate}
                        for candidate in chunk
                    ]
                )
            )
        return allotted | set(new)
