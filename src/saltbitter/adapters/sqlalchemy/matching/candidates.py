"""Matching's candidate reads on SQL: members, main photos, interest rarity, histories.

The member reads join tables other capabilities own (``users``, ``profiles``,
``photos``, ``assessments``, ``consents``) behind matching's own port, ``CandidateReader``
(ADR 0019): their columns were fixed together for this.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Row,
    and_,
    any_,
    bindparam,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.expression import ColumnElement

from saltbitter.adapters.sqlalchemy.matching._shared import OnConnection, chunks
from saltbitter.adapters.sqlalchemy.shared_reads import (
    among,
    current_sensitive_consent,
    latest_assessment_id,
)
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_members import (
    assessments,
    matches,
    photos,
    profiles,
    swipes,
)
from saltbitter.application.matching.members import local_date, member_record
from saltbitter.application.ports.matching import (
    CandidateReader,
    MemberRecord,
    PageRead,
    PhotoRef,
)
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.compatibility import (
    EARTH_RADIUS_KM,
    CandidateProfile,
    CompatibilityPolicy,
    DocumentFrequencies,
    PairHistory,
)
from saltbitter.domain.matching import Decision
from saltbitter.domain.profiles import ModerationStatus
from saltbitter.domain.shared import UserId

__all__ = ["SqlaCandidateReader"]

_MEMBER_STATUSES = (AccountStatus.ACTIVE.value, AccountStatus.SUSPENDED.value)
# Bounding boxes are widened a little so float rounding never drops someone at the edge.
_BOX_MARGIN_DEGREES = 0.01


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
# recomputing the key on every call; the ids go in as one array parameter on PostgreSQL
# (no per-call IN-list expansion, ADR 0036), as an expanding parameter on SQLite.
_MEMBERS = _members_statement()
_MEMBERS_BY_ID = {
    "postgresql": _MEMBERS.where(
        users.c.id == any_(bindparam("user_ids", type_=ARRAY(users.c.id.type)))
    ),
    "sqlite": _MEMBERS.where(users.c.id.in_(bindparam("user_ids", expanding=True))),
}


def _page_statement(dialect: str) -> Any:
    """The members by id, each with their main photo and their history with ``viewer``:
    ``members``, ``main_photos`` and ``pair_histories`` of a discovery page in one round
    trip (the same rules, as correlated subqueries on the primary keys and unique
    indexes: ``photos (user_id, position)``, ``swipes (actor_id, target_id)``,
    ``matches (user_low, user_high)``)."""
    viewer = bindparam("viewer", type_=users.c.id.type)
    main_id = (
        select(photos.c.id)
        .where(
            photos.c.user_id == users.c.id,
            photos.c.moderation == ModerationStatus.APPROVED.value,
        )
        .order_by(photos.c.position)
        .limit(1)
        .correlate(users)
        .scalar_subquery()
    )
    main = photos.alias("main_photo")

    def swiped(actor: Any, target: Any, decision: Decision) -> Any:
        return exists().where(
            swipes.c.actor_id == actor,
            swipes.c.target_id == target,
            swipes.c.decision == decision.value,
        )

    # A match kept for an erased member's partner has a NULL side and pairs nobody now.
    matched = exists().where(
        or_(
            and_(matches.c.user_low == viewer, matches.c.user_high == users.c.id),
            and_(matches.c.user_low == users.c.id, matches.c.user_high == viewer),
        )
    )
    statement = (
        _members_statement()
        .add_columns(
            main.c.storage_key.label("photo_key"),
            main.c.width.label("photo_width"),
            main.c.height.label("photo_height"),
            matched.label("matched"),
            swiped(viewer, users.c.id, Decision.LIKE).label("viewer_liked"),
            swiped(viewer, users.c.id, Decision.PASS).label("viewer_passed"),
            swiped(users.c.id, viewer, Decision.LIKE).label("candidate_liked"),
            swiped(users.c.id, viewer, Decision.PASS).label("candidate_passed"),
        )
        .outerjoin(main, main.c.id == main_id)
    )
    if dialect == "postgresql":
        return statement.where(
            users.c.id == any_(bindparam("user_ids", type_=ARRAY(users.c.id.type)))
        )
    return statement.where(users.c.id.in_(bindparam("user_ids", expanding=True)))


_PAGE = {dialect: _page_statement(dialect) for dialect in ("postgresql", "sqlite")}
# The member's own columns come first in a page row: those alone make the record.
_MEMBER_WIDTH = len(_MEMBERS.selected_columns)
_HISTORY_FLAGS = ("matched", "viewer_liked", "viewer_passed", "candidate_liked", "candidate_passed")


# The member's own columns by position, as ``_members_statement`` selects them: the
# daily job reads every member, and a Row's attribute reads (about twenty per member)
# cost more than unpacking it once.
_MEMBER_COLUMNS = (
    "id",
    "status",
    "tier",
    "display_name",
    "birthdate",
    "timezone",
    "gender",
    "genders_sought",
    "age_min",
    "age_max",
    "bio",
    "interests",
    "relationship_goal",
    "values",
    "latitude",
    "longitude",
    "max_distance_km",
    "visibility",
    "updated_at",
    "anxiety",
    "avoidance",
    "granted",
)
if tuple(column.key for column in _MEMBERS.selected_columns) != _MEMBER_COLUMNS:
    raise RuntimeError("_member unpacks the members' columns in another order")


def _member(row: Row[Any], now: datetime) -> MemberRecord | None:
    (
        user_id,
        status,
        tier,
        display_name,
        birthdate,
        timezone,
        gender,
        genders_sought,
        age_min,
        age_max,
        bio,
        interests,
        relationship_goal,
        values,
        latitude,
        longitude,
        max_distance_km,
        visibility,
        updated_at,
        anxiety,
        avoidance,
        granted,
    ) = row[:_MEMBER_WIDTH]
    return member_record(
        user_id=UserId(user_id),
        status=status,
        tier=tier,
        display_name=display_name,
        birthdate=birthdate,
        timezone=timezone,
        gender=gender,
        genders_sought=[g for g in genders_sought.split(",") if g],
        age_min=age_min,
        age_max=age_max,
        bio=bio,
        interests=interests,
        relationship_goal=relationship_goal,
        values=values,
        latitude=latitude,
        longitude=longitude,
        max_distance_km=max_distance_km,
        paused=visibility == "paused",
        updated_at=updated_at,
        attachment=None if anxiety is None else (anxiety, avoidance),
        sensitive_data_consent=bool(granted),
        now=now,
    )


class _KeptRecords:
    """Records built from rows, kept per process (ADR 0036): ``member_record`` is a pure
    function of the row and the member's local date (their age), so a record is reused
    only for an equal row on the same local date; any change of the member gives another
    row. Bounded (least recently used go first); one event loop uses it.

    Also bounded in time: a record unused for ``max_age_seconds`` is dropped at the next
    use of any, so an erased member's record (never served: their row is gone) leaves the
    process's memory soon after, not only when 20,000 others push it out.
    """

    __slots__ = ("_clock", "_limit", "_max_age", "_records")

    def __init__(
        self,
        limit: int,
        max_age_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._max_age = max_age_seconds
        self._clock = clock
        # user id -> (row values, local date, record, when last used); oldest use first
        self._records: OrderedDict[
            Any, tuple[tuple[Any, ...], date, MemberRecord | None, float]
        ] = OrderedDict()

    def member(self, row: Row[Any], now: datetime, width: int | None = None) -> MemberRecord | None:
        """``width``: how many of the row's first columns are the member's own."""
        values = tuple(row) if width is None else tuple(row)[:width]
        day = local_date(row.timezone, now)
        used = self._clock()
        self._drop_unused_since(used - self._max_age)
        kept = self._records.get(row.id)
        if kept is not None and kept[1] == day and kept[0] == values:
            record = kept[2]
        else:
            record = _member(row, now)
        self._records[row.id] = (values, day, record, used)
        self._records.move_to_end(row.id)
        while len(self._records) > self._limit:
            self._records.popitem(last=False)
        return record

    def _drop_unused_since(self, moment: float) -> None:
        records = self._records
        while records:
            oldest = next(iter(records.values()))
            if oldest[3] >= moment:
                return
            records.popitem(last=False)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._records


_KEPT_RECORDS = _KeptRecords(limit=20_000)


def members_by_id(dialect: str) -> Any:
    """The read of members by id (parameter ``user_ids``), for a statement that reads
    them together with something else (a like's own read: ``SqlaSwipeWriter``)."""
    return _MEMBERS_BY_ID[dialect]


def kept_member(row: Row[Any], now: datetime, width: int) -> MemberRecord | None:
    """The member in ``row``'s first ``width`` columns (those of ``members_by_id``), as
    ``SqlaCandidateReader.members`` makes it: kept per process for an equal row."""
    return _KEPT_RECORDS.member(row, now, width)


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


class SqlaCandidateReader(OnConnection, CandidateReader):
    __slots__ = ()

    async def members(
        self, now: datetime, user_ids: Collection[UserId] | None = None
    ) -> Sequence[MemberRecord]:
        if user_ids is None:
            rows = list(await self._db.execute(_MEMBERS))
        else:
            rows = []
            by_id = _MEMBERS_BY_ID[self._dialect]
            for chunk in chunks(set(user_ids)):
                rows.extend(await self._db.execute(by_id, {"user_ids": chunk}))
            # Pages of members read by id (the request path) reuse unchanged records.
            found = (_KEPT_RECORDS.member(row, now) for row in rows)
            return [member for member in found if member is not None]
        found = (_member(row, now) for row in rows)
        return [member for member in found if member is not None]

    async def page(self, now: datetime, viewer: UserId, user_ids: Collection[UserId]) -> PageRead:
        members: list[MemberRecord] = []
        photos: dict[UserId, PhotoRef] = {}
        histories: dict[UserId, PairHistory] = {}
        statement = _PAGE[self._dialect]
        for chunk in chunks(set(user_ids)):
            for row in await self._db.execute(statement, {"viewer": viewer, "user_ids": chunk}):
                member = _KEPT_RECORDS.member(row, now, _MEMBER_WIDTH)
                if member is None:
                    continue
                members.append(member)
                user_id = member.user_id
                if row.photo_key is not None:
                    photos[user_id] = PhotoRef(row.photo_key, row.photo_width, row.photo_height)
                flags = {flag: True for flag in _HISTORY_FLAGS if row._mapping[flag]}
                if flags and user_id != viewer:
                    histories[user_id] = PairHistory(**flags)
        return PageRead(members, photos, histories)

    async def available_timezones(self, now: datetime) -> Sequence[tuple[UserId, str]]:
        del now  # ages do not decide availability
        rows = await self._db.execute(
            select(users.c.id, users.c.timezone)
            .select_from(users.join(profiles, profiles.c.user_id == users.c.id))
            .where(users.c.status == AccountStatus.ACTIVE.value, profiles.c.visibility != "paused")
        )
        return [(UserId(row.id), row.timezone) for row in rows]

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

    async def main_photos(self, user_ids: Collection[UserId]) -> Mapping[UserId, PhotoRef]:
        found: dict[UserId, PhotoRef] = {}
        for chunk in chunks(set(user_ids)):
            statement = (
                select(photos.c.user_id, photos.c.storage_key, photos.c.width, photos.c.height)
                .where(
                    among(photos.c.user_id, chunk, self._dialect),
                    photos.c.moderation == ModerationStatus.APPROVED.value,
                )
                .order_by(photos.c.user_id, photos.c.position)
            )
            for row in await self._db.execute(statement):
                # Ordered by position: the first approved photo is the main one.
                found.setdefault(
                    UserId(row.user_id), PhotoRef(row.storage_key, row.width, row.height)
                )
        return found

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

        dialect = self._dialect
        for chunk in chunks(wanted):
            # One round trip: the swipes (with their decision) and the matches (none).
            swiped = select(swipes.c.actor_id, swipes.c.target_id, swipes.c.decision).where(
                or_(
                    among(swipes.c.actor_id, chunk, dialect),
                    among(swipes.c.target_id, chunk, dialect),
                )
            )
            matched = select(
                matches.c.user_low, matches.c.user_high, type_coerce(null(), swipes.c.decision.type)
            ).where(
                or_(
                    among(matches.c.user_low, chunk, dialect),
                    among(matches.c.user_high, chunk, dialect),
                ),
                # A match kept for an erased member's partner pairs nobody now.
                matches.c.user_low.is_not(None),
                matches.c.user_high.is_not(None),
            )
            for first, second, decision in await self._db.execute(union_all(swiped, matched)):
                if decision is None:
                    note(UserId(first), UserId(second), "matched")
                    note(UserId(second), UserId(first), "matched")
                    continue
                liked = decision == Decision.LIKE.value
                note(UserId(first), UserId(second), "viewer_liked" if liked else "viewer_passed")
                note(
                    UserId(second),
                    UserId(first),
                    "candidate_liked" if liked else "candidate_passed",
                )
        return [(viewer, other, PairHistory(**flags)) for (viewer, other), flags in facts.items()]
