"""Safety over HTTP (blocks, reports, moderation, date check-ins) against SQLite and
against PostgreSQL + Redis, with a cross-user matrix of every safety route."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from dishka import AsyncContainer

from saltbitter.application.safety.checkins import SweepOverdueCheckIns
from saltbitter.application.safety.moderation import LiftExpiredSuspensions
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, grant_role, man, member
from support.live_api import Api

PROBLEM = "application/problem+json"
T = TypeVar("T")


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    assert "Traceback" not in response.text
    return body


def _in_process(settings: Settings, work: Callable[[AsyncContainer], Awaitable[T]]) -> T:
    """Run ``work`` in a container of its own on the server's database (as the CLI and
    the worker do); its in-process jobs (mail) finish before this returns."""

    async def run() -> T:
        container = await build_container(settings)
        try:
            return await work(container)
        finally:
            await stop_container(container)

    return asyncio.run(run())


def _block(api: Api, who: Member, whom: Member | str) -> httpx.Response:
    target = whom if isinstance(whom, str) else whom.user_id
    return api.http.post("/api/v1/blocks", json={"user_id": target}, headers=who.headers)


def _report(api: Api, who: Member, whom: Member, **fields: Any) -> httpx.Response:
    body = {"user_id": whom.user_id, "reason": "harassment", "details": "Rude messages again."}
    body.update(fields)
    return api.http.post("/api/v1/reports", json=body, headers=who.headers)


def _match(api: Api, a: Member, b: Member) -> str:
    assert api.http.post("/api/v1/likes", json={"user_id": b.user_id}, headers=a.headers)
    second = api.http.post("/api/v1/likes", json={"user_id": a.user_id}, headers=b.headers)
    assert second.status_code == 201, second.text
    match_id = second.json()["match_id"]
    assert match_id, second.text
    return str(match_id)


def test_a_block_hides_both_members_and_is_idempotent(api: Api) -> None:
    ada, bo = member(api), man(api)
    assert api.http.get(f"/api/v1/profiles/{bo.user_id}", headers=ada.headers).status_code == 200

    first = _block(api, ada, bo)
    assert first.status_code == 201, first.text
    assert first.json()["user_id"] == bo.user_id
    again = _block(api, ada, bo)
    assert again.status_code == 200
    assert again.json() == first.json()  # the same block

    listed = api.http.get("/api/v1/blocks", headers=ada.headers)
    assert listed.status_code == 200
    assert listed.json() == {"items": [first.json()], "next_cursor": None}
    assert api.http.get("/api/v1/blocks", headers=bo.headers).json()["items"] == []

    # Blocking yourself and blocking nobody are refused with stable codes.
    _problem(_block(api, ada, ada), 422, "cannot_block_self")
    _problem(_block(api, ada, str(uuid.uuid4())), 404, "member_not_found")
    _problem(
        api.http.post("/api/v1/blocks", json={"user_id": "nope"}, headers=ada.headers),
        422,
        "validation_failed",
    )

    assert api.http.delete(f"/api/v1/blocks/{bo.user_id}", headers=ada.headers).status_code == 204
    _problem(
        api.http.delete(f"/api/v1/blocks/{bo.user_id}", headers=ada.headers),
        404,
        "block_not_found",
    )
    assert api.http.get("/api/v1/blocks", headers=ada.headers).json()["items"] == []


def test_blocks_are_paged_newest_first(api: Api) -> None:
    ada = member(api)
    others = [man(api) for _ in range(3)]
    for other in others:
        assert _block(api, ada, other).status_code == 201
    seen: list[str] = []
    page = api.http.get("/api/v1/blocks", headers=ada.headers).json()
    seen += [item["user_id"] for item in page["items"]]
    assert page["next_cursor"] is None  # 3 < 20
    assert sorted(seen) == sorted(o.user_id for o in others)
    _problem(
        api.http.get("/api/v1/blocks", params={"cursor": "bm9wZQ"}, headers=ada.headers),
        422,
        "validation_failed",
    )


def test_reports_block_unless_opted_out_and_refuse_duplicates(api: Api) -> None:
    ada, bo, cy = member(api), man(api), man(api)
    created = _report(api, ada, bo)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["user_id"] == bo.user_id
    assert body["status"] == "open"
    assert body["blocked"] is True
    assert [
        i["user_id"] for i in api.http.get("/api/v1/blocks", headers=ada.headers).json()["items"]
    ] == [bo.user_id]
    _problem(_report(api, ada, bo, reason="spam"), 409, "report_exists")

    opted_out = _report(api, ada, cy, block=False)
    assert opted_out.status_code == 201
    assert opted_out.json()["blocked"] is False
    assert cy.user_id not in {
        i["user_id"] for i in api.http.get("/api/v1/blocks", headers=ada.headers).json()["items"]
    }

    _problem(_report(api, ada, ada), 422, "cannot_report_self")
    bad = _report(api, ada, cy, reason="ugly", details="short")
    problem = _problem(bad, 422, "validation_failed")
    assert {e["field"] for e in problem["errors"]} == {"reason", "details"}


def test_moderators_work_the_queue_and_everyone_else_gets_403(
    api: Api, backend_settings: Settings
) -> None:
    target = man(api)
    reporters = [member(api) for _ in range(3)]
    for reporter in reporters:
        assert _report(api, reporter, target, reason="spam").status_code == 201
    lone = man(api)
    assert _report(api, reporters[0], lone, reason="underage").status_code == 201

    plain = reporters[0]
    for method, path in (
        ("GET", "/api/v1/moderation/queue"),
        ("GET", "/api/v1/moderation/audit"),
        ("POST", f"/api/v1/moderation/reports/{uuid.uuid4()}/resolve"),
        ("POST", f"/api/v1/moderation/messages/{uuid.uuid4()}/resolve"),
        ("POST", f"/api/v1/moderation/appeals/{uuid.uuid4()}/resolve"),
    ):
        body = (
            {"action": "dismiss", "note": "x"}
            if "appeals" not in path
            else {"upheld": True, "note": "x"}
        )
        response = api.http.request(
            method, path, headers=plain.headers, json=body if method == "POST" else None
        )
        _problem(response, 403, "moderator_required" if "audit" not in path else "admin_required")

    moderator = member(api)
    grant_role(backend_settings, moderator.email, "moderator")
    queue = api.http.get("/api/v1/moderation/queue", headers=moderator.headers)
    assert queue.status_code == 200, queue.text
    items = [i for i in queue.json()["items"] if i["reported_id"] in {target.user_id, lone.user_id}]
    # Three distinct reporters escalate spam above a lone (more severe) underage report.
    assert [i["reported_id"] for i in items] == [target.user_id] * 3 + [lone.user_id]
    assert all(i["escalated"] for i in items[:3])
    assert not items[3]["escalated"]
    assert {i["kind"] for i in items} == {"report"}
    _problem(
        api.http.post(
            f"/api/v1/moderation/messages/{uuid.uuid4()}/resolve",
            headers=moderator.headers,
            json={"action": "dismiss", "note": "x"},
        ),
        404,
        "held_message_not_found",
    )
    _problem(
        api.http.get("/api/v1/moderation/audit", headers=moderator.headers), 403, "admin_required"
    )

    report_id = items[0]["id"]
    bad = api.http.post(
        f"/api/v1/moderation/reports/{report_id}/resolve",
        json={"action": "suspend", "note": "Spam wave."},
        headers=moderator.headers,
    )
    assert {e["field"] for e in _problem(bad, 422, "validation_failed")["errors"]} == {"days"}
    done = api.http.post(
        f"/api/v1/moderation/reports/{report_id}/resolve",
        json={"action": "suspend", "days": 3, "note": "Spam wave."},
        headers=moderator.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["suspended_until"]
    _problem(api.http.get("/api/v1/me", headers=target.headers), 403, "account_suspended")
    _problem(
        api.http.post(
            f"/api/v1/moderation/reports/{report_id}/resolve",
            json={"action": "dismiss", "note": "again"},
            headers=moderator.headers,
        ),
        404,
        "report_not_found",
    )

    ban_id = items[1]["id"]
    banned = api.http.post(
        f"/api/v1/moderation/reports/{ban_id}/resolve",
        json={"action": "ban", "note": "Repeat spammer."},
        headers=moderator.headers,
    )
    assert banned.status_code == 200, banned.text
    # Every session is revoked: the member's access token no longer works at all.
    _problem(api.http.get("/api/v1/me", headers=target.headers), 401, "session_revoked")

    admin = member(api)
    grant_role(backend_settings, admin.email, "admin")
    audit = api.http.get("/api/v1/moderation/audit", headers=admin.headers)
    assert audit.status_code == 200, audit.text
    actions = [e["action"] for e in audit.json()["items"] if e["subject_id"] == target.user_id]
    assert actions[:2] == ["report.ban", "report.suspend"]


def test_a_warned_member_appeals_and_a_moderator_decides(
    api: Api, backend_settings: Settings
) -> None:
    reporter, target, moderator = member(api), man(api), member(api)
    grant_role(backend_settings, moderator.email, "moderator")
    report_id = _report(api, reporter, target, reason="spam").json()["id"]
    warned = api.http.post(
        f"/api/v1/moderation/reports/{report_id}/resolve",
        json={"action": "warn", "note": "First warning."},
        headers=moderator.headers,
    )
    assert warned.status_code == 200, warned.text
    appeal_body = {"report_id": report_id, "text": "That was my cousin, not spam."}
    # The reporter (or anyone else) cannot appeal a decision about someone else.
    _problem(
        api.http.post("/api/v1/moderation/appeals", json=appeal_body, headers=reporter.headers),
        404,
        "report_not_found",
    )
    appeal = api.http.post("/api/v1/moderation/appeals", json=appeal_body, headers=target.headers)
    assert appeal.status_code == 201, appeal.text
    _problem(
        api.http.post("/api/v1/moderation/appeals", json=appeal_body, headers=target.headers),
        409,
        "appeal_exists",
    )
    decided = api.http.post(
        f"/api/v1/moderation/appeals/{appeal.json()['id']}/resolve",
        json={"upheld": True, "note": "Fair enough."},
        headers=moderator.headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["upheld"] is True


def test_suspensions_end_by_themselves(api: Api, backend_settings: Settings) -> None:
    reporter, target, moderator = member(api), man(api), member(api)
    grant_role(backend_settings, moderator.email, "moderator")
    report_id = _report(api, reporter, target).json()["id"]
    assert (
        api.http.post(
            f"/api/v1/moderation/reports/{report_id}/resolve",
            json={"action": "suspend", "days": 1, "note": "Cool off."},
            headers=moderator.headers,
        ).status_code
        == 200
    )
    _problem(api.http.get("/api/v1/me", headers=target.headers), 403, "account_suspended")
    # Appealing is the one thing a suspended member may still do.
    appeal = api.http.post(
        "/api/v1/moderation/appeals",
        json={"report_id": report_id, "text": "Please look again at this."},
        headers=target.headers,
    )
    assert appeal.status_code == 201, appeal.text
    _problem(
        api.http.post(
            "/api/v1/moderation/appeals", json={"report_id": report_id, "text": "x" * 20}
        ),
        401,
        "missing_token",
    )

    async def lift_tomorrow(container: AsyncContainer) -> int:
        from saltbitter.application.ports.system import Clock

        class Tomorrow(Clock):
            def now(self) -> datetime:
                return datetime.now(UTC) + timedelta(days=1, minutes=1)

        async with container() as scope:
            lift = await scope.get(LiftExpiredSuspensions)
            later = LiftExpiredSuspensions(
                lift.transaction, lift.standing, lift.audit, Tomorrow(), lift.ids
            )
            return await later()

    assert _in_process(backend_settings, lift_tomorrow) >= 1
    assert api.http.get("/api/v1/me", headers=target.headers).status_code == 200


def test_check_ins_alert_the_contact_once_and_panic_at_once(
    api: Api, backend_settings: Settings
) -> None:
    ada, bo, stranger = member(api), man(api), member(api)
    match_id = _match(api, ada, bo)
    now = datetime.now(UTC)
    contact = {"name": "Sam", "email": f"sam-{uuid.uuid4().hex[:8]}@example.org"}
    body = {
        "match_id": match_id,
        "starts_at": (now - timedelta(seconds=30)).isoformat(),
        "check_in_by": (now + timedelta(seconds=1)).isoformat(),
        "contact": contact,
    }
    # Another member's match is not theirs to use.
    _problem(
        api.http.post("/api/v1/safety/checkins", json=body, headers=stranger.headers),
        404,
        "match_not_found",
    )
    bad = api.http.post(
        "/api/v1/safety/checkins",
        json={**body, "check_in_by": body["starts_at"], "contact": {"name": "", "email": "x"}},
        headers=ada.headers,
    )
    assert {e["field"] for e in _problem(bad, 422, "validation_failed")["errors"]} == {
        "check_in_by",
        "contact.name",
        "contact.email",
    }
    created = api.http.post("/api/v1/safety/checkins", json=body, headers=ada.headers)
    assert created.status_code == 201, created.text
    check_in = created.json()
    assert check_in["contact"] == contact
    listed = api.http.get("/api/v1/safety/checkins", headers=ada.headers).json()["items"]
    assert [c["id"] for c in listed] == [check_in["id"]]
    assert api.http.get("/api/v1/safety/checkins", headers=stranger.headers).json()["items"] == []

    time.sleep(1.5)

    async def sweep(container: AsyncContainer) -> int:
        async with container() as scope:
            return await (await scope.get(SweepOverdueCheckIns))()

    assert _in_process(backend_settings, sweep) >= 1
    assert _in_process(backend_settings, sweep) == 0  # claimed once
    [alert] = api.mails_to(contact["email"])
    assert "did not check in" in alert.subject

    _problem(
        api.http.post("/api/v1/safety/alerts", json={"lat": 91, "lon": 0}, headers=ada.headers),
        422,
        "validation_failed",
    )
    _problem(
        api.http.post("/api/v1/safety/alerts", json={}, headers=stranger.headers),
        404,
        "no_active_check_in",
    )
    panic = api.http.post(
        "/api/v1/safety/alerts", json={"lat": 52.5, "lon": 13.4}, headers=ada.headers
    )
    assert panic.status_code == 201, panic.text
    deadline = time.monotonic() + 15
    while len(api.mails_to(contact["email"])) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    mails = api.mails_to(contact["email"])
    assert len(mails) == 2
    assert "52.50000, 13.40000" in mails[-1].text

    ok = api.http.post(f"/api/v1/safety/checkins/{check_in['id']}/ok", headers=ada.headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["ok_at"]


@pytest.mark.parametrize("route", ["block", "unblock", "ok", "report", "checkin", "appeal"])
def test_cross_user_matrix(api: Api, route: str) -> None:
    """Another member's ids are never found: blocks, check-ins, matches, reports."""
    ada, bo, eve = member(api), man(api), member(api)
    match_id = _match(api, ada, bo)
    now = datetime.now(UTC)
    check_in = api.http.post(
        "/api/v1/safety/checkins",
        json={
            "match_id": match_id,
            "starts_at": now.isoformat(),
            "check_in_by": (now + timedelta(hours=2)).isoformat(),
            "contact": {"name": "Sam", "email": "sam@example.org"},
        },
        headers=ada.headers,
    ).json()
    assert _block(api, ada, bo).status_code == 201
    report = _report(api, ada, bo, block=False)
    assert report.status_code in {201, 409}

    if route == "block":  # eve cannot see or lift ada's block
        assert api.http.get("/api/v1/blocks", headers=eve.headers).json()["items"] == []
    elif route == "unblock":
        _problem(
            api.http.delete(f"/api/v1/blocks/{bo.user_id}", headers=eve.headers),
            404,
            "block_not_found",
        )
    elif route == "ok":
        _problem(
            api.http.post(f"/api/v1/safety/checkins/{check_in['id']}/ok", headers=eve.headers),
            404,
            "check_in_not_found",
        )
    elif route == "report":  # a report names members by id; an unknown id is not found
        _problem(_report(api, eve, Member(str(uuid.uuid4()), {}, "")), 404, "member_not_found")
    elif route == "checkin":
        _problem(
            api.http.post(
                "/api/v1/safety/checkins",
                json={
                    "match_id": match_id,
                    "starts_at": now.isoformat(),
                    "check_in_by": (now + timedelta(hours=2)).isoformat(),
                    "contact": {"name": "Sam", "email": "sam@example.org"},
                },
                headers=eve.headers,
            ),
            404,
            "match_not_found",
        )
    else:
        _problem(
            api.http.post(
                "/api/v1/moderation/appeals",
                json={"report_id": str(uuid.uuid4()), "text": "Not me at all, honestly."},
                headers=eve.headers,
            ),
            404,
            "report_not_found",
        )
    # Every safety route needs a token.
    for method, path in (
        ("GET", "/api/v1/blocks"),
        ("POST", "/api/v1/blocks"),
        ("POST", "/api/v1/reports"),
        ("GET", "/api/v1/safety/checkins"),
        ("POST", "/api/v1/safety/alerts"),
        ("GET", "/api/v1/moderation/queue"),
    ):
        response = api.http.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 401, (method, path, response.text)
