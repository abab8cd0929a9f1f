"""Notifications over HTTP on SQLite and PostgreSQL + Redis, fed through the real outbox.

Matching publishes ``matching.match_created`` and ``matching.daily_set_ready``; these
tests put those events in the outbox exactly as matching's transaction does and let the
server's relay and in-process jobs take them from there.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.notifications import SqlaEmailSchedule, SqlaNotificationInbox
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SystemClock, UuidIdGenerator
from saltbitter.application.matching.events import DailySetReady, MatchCreated
from saltbitter.application.ports.events import Event
from saltbitter.application.ports.notifications import EmailStatus, Notification
from saltbitter.domain.notifications import NotificationKind
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.jobs import EVENTS
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, signed_in
from support.live_api import Api

PROBLEM = "application/problem+json"
SUBJECT = "You have a new match on SaltBitter"


@pytest.fixture(scope="module")
async def engine(backend_settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The server's database, opened from the test as matching's transaction would be."""
    engine = create_engine_for(backend_settings.effective_database_url)
    yield engine
    await engine.dispose()


def _zone_where_it_is(local_hour: int) -> str:
    """A fixed-offset zone whose local hour is ``local_hour`` right now."""
    offset = (local_hour - datetime.now(UTC).hour) % 24
    if offset > 14:
        offset -= 24
    # POSIX sign convention: Etc/GMT-3 is three hours AHEAD of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def _user_id(someone: Member) -> UserId:
    return UserId(UUID(someone.user_id))


@asynccontextmanager
async def _connection(engine: AsyncEngine) -> AsyncIterator[StagedConnection]:
    """A connection of the test's own, as one request of the server has."""
    db = StagedConnection(engine)
    try:
        yield db
    finally:
        await db.close()


async def _publish(engine: AsyncEngine, *events: Event) -> None:
    async with _connection(engine) as db, SqlaTransaction(db) as transaction:
        outbox = SqlaOutbox(db, SystemClock(), UuidIdGenerator(), EVENTS)
        for event in events:
            outbox.add(event)
        await transaction.commit()


async def _add(engine: AsyncEngine, *notifications: Notification) -> None:
    async with _connection(engine) as db, SqlaTransaction(db) as transaction:
        inbox = SqlaNotificationInbox(db)
        for notification in notifications:
            await inbox.add(notification)
        await transaction.commit()


def _wake_relay(api: Api, auth: dict[str, str]) -> None:
    """The relay runs after the server's own commits that carry events; a consent change
    is one, and the relay then dispatches every pending event, ours included."""
    for granted in (True, False):
        response = api.http.put(
            "/api/v1/me/consents/marketing", json={"granted": granted}, headers=auth
        )
        assert response.status_code == 200


def _wait_for_items(api: Api, auth: dict[str, str], count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while True:
        items: list[dict[str, Any]] = api.http.get("/api/v1/notifications", headers=auth).json()[
            "items"
        ]
        if len(items) >= count or time.monotonic() > deadline:
            return items
        time.sleep(0.05)


def _wait_for_mail(api: Api, email: str, subject: str) -> list[Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [m for m in api.mails_to(email) if m.subject == subject]
        if mails:
            return mails
        time.sleep(0.05)
    return []


async def test_a_match_notifies_both_members_and_emails_outside_quiet_hours(
    api: Api, engine: AsyncEngine
) -> None:
    awake = signed_in(api, timezone=_zone_where_it_is(13))
    asleep = signed_in(api, timezone=_zone_where_it_is(2))
    awake_id, asleep_id = _user_id(awake), _user_id(asleep)
    match_id = uuid4()
    event = MatchCreated(match_id=match_id, user_a=awake_id, user_b=asleep_id)
    ready = DailySetReady(user_id=awake_id, local_date=datetime.now(UTC).date(), size=4)
    await _publish(engine, event, ready, event)  # matching's event delivered twice
    _wake_relay(api, awake.headers)

    awake_items = _wait_for_items(api, awake.headers, 2)
    assert sorted(item["kind"] for item in awake_items) == ["daily_set_ready", "new_match"]
    [match_item] = [item for item in awake_items if item["kind"] == "new_match"]
    assert match_item["data"] == {"match_id": str(match_id), "with_user_id": str(asleep_id)}
    assert match_item["read"] is False
    assert match_item["text"]
    [asleep_item] = _wait_for_items(api, asleep.headers, 1)
    assert asleep_item["data"]["with_user_id"] == str(awake_id)

    # Daytime there: the email went out, once.
    [mail] = _wait_for_mail(api, awake.email, SUBJECT)
    assert "new match" in mail.text
    # Night there: held until 08:00 local time, durably, not dropped.
    assert [m for m in api.mails_to(asleep.email) if m.subject == SUBJECT] == []
    async with _connection(engine) as db:
        [held] = await SqlaEmailSchedule(db).emails_for(asleep_id)
        [done] = await SqlaEmailSchedule(db).emails_for(awake_id)
    assert held.status is EmailStatus.PENDING
    assert done.status is EmailStatus.SENT
    release = held.send_after.astimezone(ZoneInfo(_zone_where_it_is(2)))
    assert (release.hour, release.minute) == (8, 0)
    assert timedelta(0) < held.send_after - datetime.now(UTC) < timedelta(hours=8)
    assert len([m for m in api.mails_to(awake.email) if m.subject == SUBJECT]) == 1


async def test_pages_of_twenty_newest_first_with_a_cursor(api: Api, engine: AsyncEngine) -> None:
    someone = signed_in(api)
    auth, user_id = someone.headers, _user_id(someone)
    base = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    made = [
        Notification(uuid4(), user_id, NotificationKind.NEW_MATCH, {"match_id": str(uuid4())}, at)
        for at in [base + timedelta(minutes=i) for i in range(25)]
    ]
    await _add(engine, *made)

    first = api.http.get("/api/v1/notifications", headers=auth)
    assert first.status_code == 200
    page = first.json()
    assert set(page) == {"items", "next_cursor"}
    assert len(page["items"]) == 20
    assert page["next_cursor"]
    second = api.http.get(
        "/api/v1/notifications", params={"cursor": page["next_cursor"]}, headers=auth
    ).json()
    assert second["next_cursor"] is None
    shown = [item["id"] for item in page["items"] + second["items"]]
    assert shown == [str(n.id) for n in reversed(made)]

    forged = api.http.get("/api/v1/notifications", params={"cursor": "bm9wZQ"}, headers=auth)
    assert forged.status_code == 422
    assert forged.headers["content-type"].startswith(PROBLEM)
    assert forged.json()["errors"][0]["field"] == "cursor"
    assert api.http.get("/api/v1/notifications").status_code == 401


async def test_marking_read_never_touches_another_members_notifications(
    api: Api, engine: AsyncEngine
) -> None:
    ada, bo = signed_in(api), signed_in(api)
    mine_auth, theirs_auth = ada.headers, bo.headers
    me, them = _user_id(ada), _user_id(bo)
    at = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    mine = Notification(uuid4(), me, NotificationKind.DAILY_SET_READY, {"size": 3}, at)
    theirs = Notification(uuid4(), them, NotificationKind.DAILY_SET_READY, {"size": 5}, at)
    await _add(engine, mine, theirs)

    marked = api.http.post(
        "/api/v1/notifications/read",
        json={"ids": [str(mine.id), str(theirs.id), str(uuid4())]},
        headers=mine_auth,
    )
    assert marked.status_code == 200, marked.text
    assert marked.json() == {"updated": 1}
    [my_item] = api.http.get("/api/v1/notifications", headers=mine_auth).json()["items"]
    assert my_item["read"] is True
    assert my_item["read_at"]
    [their_item] = api.http.get("/api/v1/notifications", headers=theirs_auth).json()["items"]
    assert their_item["read"] is False  # the cross-user id had no effect
    # Marking someone else's notification alone changes nothing and says so.
    alone = api.http.post(
        "/api/v1/notifications/read", json={"ids": [str(theirs.id)]}, headers=mine_auth
    )
    assert alone.json() == {"updated": 0}

    bad = api.http.post("/api/v1/notifications/read", json={"ids": ["nope"]}, headers=mine_auth)
    assert bad.status_code == 422
    # problems.py names list items "ids[0]" (msgspec's key), not "ids.0": reported upstream.
    assert bad.json()["errors"][0]["field"] in {"ids.0", "ids[0]"}
    too_many = api.http.post(
        "/api/v1/notifications/read",
        json={"ids": [str(uuid4()) for _ in range(101)]},
        headers=mine_auth,
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["code"] == "too_many"
    assert api.http.post("/api/v1/notifications/read", json={"ids": []}).status_code == 401
