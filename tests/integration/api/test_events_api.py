"""Community events over HTTP against SQLite and PostgreSQL + Redis: admin-only routes,
registration and the waitlist, paid events and tickets bought through /purchases (paid
on the embedded stand-in or by a signed webhook), cancellation emails, attendance and
surveys, and every member route refusing what is not the caller's."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Executable, func, select, update

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_events import community_events, event_tickets
from saltbitter.adapters.stripe import sign_payload
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, grant_role, signed_in
from support.live_api import Api

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    return body


def _admin(api: Api, settings: Settings) -> Member:
    admin = signed_in(api)
    grant_role(settings, admin.email, "admin")
    return admin


def _sql(settings: Settings, statement: Executable) -> None:
    """Set what the API cannot (a tier without a payment, a start in the past)."""

    async def run() -> None:
        engine = create_engine_for(settings.effective_database_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(statement)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _in(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _create(api: Api, admin: Member, **fields: Any) -> dict[str, Any]:
    body = {"kind": "speed_dating", "title": "Friday speed dating", "starts_at": _in(3)}
    body.update(fields)
    response = api.http.post("/api/v1/events", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _register(api: Api, who: Member, event_id: str) -> httpx.Response:
    return api.http.post(f"/api/v1/events/{event_id}/registration", headers=who.headers)


def _mails(api: Api, email: str, subject_start: str, count: int) -> list[Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [m for m in api.mails_to(email) if m.subject.startswith(subject_start)]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{email} never got {count} mail(s) starting {subject_start!r}")


def test_admin_routes_refuse_members_and_validate_with_stable_codes(
    api: Api, backend_settings: Settings
) -> None:
    member = signed_in(api)
    some_id = uuid.uuid4()
    for method, path, body in (
        ("POST", "/api/v1/events", {"kind": "workshop", "title": "x", "starts_at": _in(1)}),
        ("PATCH", f"/api/v1/events/{some_id}", {"title": "x"}),
        ("POST", f"/api/v1/events/{some_id}/cancel", None),
        ("POST", f"/api/v1/events/{some_id}/attendance", {"member_ids": [str(some_id)]}),
    ):
        response = api.http.request(method, path, json=body, headers=member.headers)
        _problem(response, 403, "admin_required")

    admin = _admin(api, backend_settings)
    workshop = _create(api, admin, kind="workshop", title="Listening well")
    assert (workshop["capacity"], workshop["duration_minutes"]) == (50, 90)
    assert (workshop["status"], workshop["seats_left"]) == ("scheduled", 50)

    bad = api.http.post(
        "/api/v1/events",
        json={"kind": "custom", "title": "Own", "starts_at": _in(-1), "price_cents": -5},
        headers=admin.headers,
    )
    problem = _problem(bad, 422, "validation_failed")
    assert {e["field"]: e["code"] for e in problem["errors"]} == {
        "starts_at": "in_the_past",
        "capacity": "required",
        "duration_minutes": "required",
        "price_cents": "out_of_range",
    }
    changed = api.http.patch(
        f"/api/v1/events/{workshop['event_id']}",
        json={"title": "Listening, well", "capacity": 60},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["capacity"]) == ("Listening, well", 60)
    _problem(
        api.http.patch(f"/api/v1/events/{some_id}", json={"title": "x"}, headers=admin.headers),
        404,
        "event_not_found",
    )


def test_registration_waitlist_promotion_and_cancellation_mail(
    api: Api, backend_settings: Settings
) -> None:
    admin = _admin(api, backend_settings)
    event = _create(api, admin, capacity=1)
    event_id = event["event_id"]
    first, second, third = signed_in(api), signed_in(api), signed_in(api)

    listed = api.http.get("/api/v1/events", headers=first.headers)
    assert listed.status_code == 200
    assert event_id in {e["event_id"] for e in listed.json()["items"]}

    one = _register(api, first, event_id)
    assert one.status_code == 201, one.text
    assert one.json()["status"] == "registered"
    assert "waitlist_position" not in one.json() or one.json()["waitlist_position"] is None
    two = _register(api, second, event_id)
    assert (two.json()["status"], two.json()["waitlist_position"]) == ("waitlisted", 1)
    three = _register(api, third, event_id)
    assert three.json()["waitlist_position"] == 2
    _problem(_register(api, first, event_id), 409, "already_registered")

    # Someone else's registration cannot be cancelled: the caller has none (404).
    outsider = signed_in(api)
    _problem(
        api.http.delete(f"/api/v1/events/{event_id}/registration", headers=outsider.headers),
        404,
        "registration_not_found",
    )
    gone = api.http.delete(f"/api/v1/events/{event_id}/registration", headers=first.headers)
    assert gone.status_code == 204
    shown = api.http.get(f"/api/v1/events/{event_id}", headers=second.headers).json()
    assert shown["my_registration"]["status"] == "registered"
    assert shown["seats_left"] == 0
    waiting = api.http.get(f"/api/v1/events/{event_id}", headers=third.headers).json()
    assert waiting["my_registration"]["waitlist_position"] == 1
    nothing = api.http.get(f"/api/v1/events/{event_id}", headers=outsider.headers).json()
    assert nothing["my_registration"] is None
    _mails(api, second.email, "You have a seat", 1)

    cancelled = api.http.post(f"/api/v1/events/{event_id}/cancel", headers=admin.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    for registrant in (second, third):
        _mails(api, registrant.email, "Cancelled:", 1)
    assert [m for m in api.mails_to(first.email) if m.subject.startswith("Cancelled")] == []
    _problem(_register(api, outsider, event_id), 409, "event_cancelled")
    _problem(
        api.http.get(f"/api/v1/events/{uuid.uuid4()}", headers=first.headers),
        404,
        "event_not_found",
    )


def test_paid_events_need_a_ticket_or_the_plans_allowance(
    api: Api, backend_settings: Settings
) -> None:
    admin = _admin(api, backend_settings)
    paid = _create(api, admin, price_cents=1500)["event_id"]
    other_paid = _create(api, admin, price_cents=1500, title="Another")["event_id"]
    member = signed_in(api)
    problem = _problem(_register(api, member, paid), 409, "ticket_required")
    assert "event_ticket" in problem["detail"]

    _sql(
        backend_settings, update(users).where(users.c.email == member.email).values(tier="premium")
    )
    allowed = _register(api, member, paid)
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["admission"] == "allowance"
    _problem(_register(api, member, other_paid), 409, "ticket_required")


def _tickets_held(settings: Settings, event_id: str) -> int:
    async def run() -> int:
        engine = create_engine_for(settings.effective_database_url)
        try:
            async with engine.connect() as connection:
                query = select(func.count()).where(event_tickets.c.event_id == uuid.UUID(event_id))
                return int((await connection.execute(query)).scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _buy_ticket(api: Api, who: Member, event_id: str, **body: Any) -> dict[str, Any]:
    answer = api.http.post(
        "/api/v1/purchases",
        json={"item": "event_ticket", "event_id": event_id, **body},
        headers=who.headers,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _signed_success(api: Api, settings: Settings, purchase_id: str) -> dict[str, Any]:
    """payment_intent.succeeded for the purchase's intent, as Stripe signs and sends it."""
    state = json.loads((settings.data_dir / "payments-test-mode.json").read_text("utf-8"))
    intent = next(
        i for i in state["payment_intents"].values() if i["metadata"]["purchase_id"] == purchase_id
    )
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": {**intent, "status": "succeeded"}},
    }


def _deliver(api: Api, settings: Settings, event: dict[str, Any]) -> None:
    payload = json.dumps(event).encode()
    signature = sign_payload(payload, settings.effective_stripe_webhook_secret(), int(time.time()))
    answer = api.http.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text


def _registered_once_granted(api: Api, who: Member, event_id: str) -> httpx.Response:
    """Register as soon as the ticket job (run after the payment, off the request) granted."""
    deadline = time.monotonic() + 15
    while True:
        answer = _register(api, who, event_id)
        if answer.status_code != 409 or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_a_ticket_paid_by_webhook_opens_its_paid_event_once_and_no_other(
    api: Api, backend_settings: Settings
) -> None:
    admin = _admin(api, backend_settings)
    event_a = _create(api, admin, price_cents=1500, title="Ticketed A")["event_id"]
    event_b = _create(api, admin, price_cents=1500, title="Ticketed B")["event_id"]
    member = signed_in(api)
    _problem(_register(api, member, event_a), 409, "ticket_required")

    started = _buy_ticket(api, member, event_a)  # no method: the client confirms
    assert (started["status"], started["amount_cents"]) == ("pending", 1500)
    success = _signed_success(api, backend_settings, started["purchase_id"])
    for _ in range(3):  # Stripe redelivers: one ticket all the same
        _deliver(api, backend_settings, success)
    _deliver(api, backend_settings, _signed_success(api, backend_settings, started["purchase_id"]))

    registered = _registered_once_granted(api, member, event_a)
    assert registered.status_code == 201, registered.text
    assert (registered.json()["status"], registered.json()["admission"]) == (
        "registered",
        "ticket",
    )
    assert _tickets_held(backend_settings, event_a) == 1
    _problem(_register(api, member, event_b), 409, "ticket_required")
    assert _tickets_held(backend_settings, event_b) == 0


def test_a_ticket_paid_on_the_test_payment_page_opens_the_event(
    api: Api, backend_settings: Settings
) -> None:
    admin = _admin(api, backend_settings)
    event_id = _create(api, admin, price_cents=1500, title="Ticketed C")["event_id"]
    member = signed_in(api)
    started = _buy_ticket(api, member, event_id, payment_method_id="pm_card_threeDSecureRequired")
    assert started["status"] == "requires_action"
    page = httpx.URL(started["test_confirm_url"]).path
    assert api.http.post(f"{page}/pay").status_code == 200

    registered = _registered_once_granted(api, member, event_id)
    assert registered.status_code == 201, registered.text
    assert registered.json()["admission"] == "ticket"
    shown = api.http.get(f"/api/v1/events/{event_id}", headers=member.headers).json()
    assert shown["my_registration"]["admission"] == "ticket"


def test_attendance_and_one_survey_by_attendees_only(api: Api, backend_settings: Settings) -> None:
    admin = _admin(api, backend_settings)
    event_id = _create(api, admin)["event_id"]
    came, absent = signed_in(api), signed_in(api)
    for who in (came, absent):
        assert _register(api, who, event_id).status_code == 201
    mark = f"/api/v1/events/{event_id}/attendance"
    _problem(
        api.http.post(mark, json={"member_ids": [came.user_id]}, headers=admin.headers),
        409,
        "event_not_started",
    )
    _sql(
        backend_settings,
        update(community_events)
        .where(community_events.c.id == uuid.UUID(event_id))
        .values(starts_at=datetime.now(UTC) - timedelta(minutes=5)),
    )
    stranger = signed_in(api)
    refused = api.http.post(
        mark, json={"member_ids": [came.user_id, stranger.user_id]}, headers=admin.headers
    )
    problem = _problem(refused, 422, "validation_failed")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("member_ids.1", "not_registered")
    ]
    marked = api.http.post(mark, json={"member_ids": [came.user_id]}, headers=admin.headers)
    assert marked.status_code == 200, marked.text
    assert marked.json()["attended"] == 1

    survey = f"/api/v1/events/{event_id}/survey"
    for who in (absent, stranger):
        _problem(
            api.http.post(survey, json={"rating": 4}, headers=who.headers),
            403,
            "attendance_required",
        )
    _problem(
        api.http.post(survey, json={"rating": 9}, headers=came.headers), 422, "validation_failed"
    )
    rated = api.http.post(survey, json={"rating": 5, "comment": "Great"}, headers=came.headers)
    assert rated.status_code == 201, rated.text
    assert (rated.json()["rating"], rated.json()["comment"]) == (5, "Great")
    _problem(api.http.post(survey, json={"rating": 4}, headers=came.headers), 409, "survey_exists")
    _problem(
        api.http.post(
            f"/api/v1/events/{uuid.uuid4()}/survey", json={"rating": 4}, headers=came.headers
        ),
        404,
        "event_not_found",
    )


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("POST", "/registration"),
        ("DELETE", "/registration"),
        ("POST", "/survey"),
    ],
)
def test_member_routes_need_a_token(api: Api, method: str, suffix: str) -> None:
    response = api.http.request(method, f"/api/v1/events/{uuid.uuid4()}{suffix}")
    assert response.status_code == 401
