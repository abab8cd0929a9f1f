"""The accounts flow over HTTP, against SQLite and against PostgreSQL + Redis."""

from __future__ import annotations

import time
import uuid
from typing import Any

from support.live_api import PASSWORD, Api

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def test_register_verify_login_and_me(api: Api) -> None:
    email = api.new_email()
    registered = api.register(email.upper())
    assert registered.status_code == 202
    assert registered.json()["email"] == email

    early = api.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    _problem(early, 403, "email_not_verified")

    code = api.wait_for_code(email)
    verified = api.http.post("/api/v1/auth/verify", json={"email": email, "code": code})
    assert verified.status_code == 200
    assert verified.json()["status"] == "active"
    user_id = verified.json()["user_id"]
    uuid.UUID(user_id)
    again = api.http.post("/api/v1/auth/verify", json={"email": email, "code": code})
    _problem(again, 422, "validation_failed")

    tokens = api.login(email)
    assert set(tokens) == {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "deletion_pending",
        "erasure_due_at",
    }
    assert tokens["deletion_pending"] is False
    assert tokens["erasure_due_at"] is None
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900

    me = api.http.get("/api/v1/me", headers=api.bearer(tokens))
    assert me.status_code == 200
    profile = me.json()
    assert profile["user_id"] == user_id
    assert profile["email"] == email
    assert profile["email_verified"] is True
    assert profile["tier"] == "free"
    assert profile["roles"] == ["member"]
    assert {"display_name", "created_at"} <= set(profile)


def test_bad_registrations_get_field_errors(api: Api) -> None:
    response = api.register(
        "not an email",
        password="short",
        birthdate="2015-01-01",
        timezone="Mars/Olympus",
        accept_privacy=False,
    )
    body = _problem(response, 422, "validation_failed")
    fields = {error["field"]: error["code"] for error in body["errors"]}
    assert fields == {
        "email": "invalid_email",
        "password": "password_too_short",
        "birthdate": "underage",
        "timezone": "invalid_timezone",
        "accept_privacy": "required",
    }
    common = api.register(api.new_email(), password="password1234")
    assert _problem(common, 422, "validation_failed")["errors"][0]["code"] == "password_too_common"


def test_malformed_bodies_are_422_with_the_field_named(api: Api) -> None:
    wrong_type = api.register(api.new_email(), birthdate="yesterday")
    body = _problem(wrong_type, 422, "validation_failed")
    assert body["errors"][0]["field"] == "birthdate"
    missing = api.http.post("/api/v1/auth/register", json={"email": api.new_email()})
    missing_body = _problem(missing, 422, "validation_failed")
    assert missing_body["errors"][0]["field"] in {"password", "display_name", "birthdate"}
    not_json = api.http.post(
        "/api/v1/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert not_json.status_code in {400, 422}
    assert not_json.headers["content-type"].startswith(PROBLEM)
    assert "Traceback" not in not_json.text


def test_an_email_can_register_once_without_revealing_that_it_has_an_account(
    api: Api,
) -> None:
    email = api.new_email()
    fresh = api.register(email)
    code = api.wait_for_code(email)
    taken = api.register(email.upper(), password="someone else's passphrase")

    assert (
        (taken.status_code, taken.json())
        == (fresh.status_code, fresh.json())
        == (
            202,
            {
                "email": email,
                "detail": "Check your email to continue.",
            },
        )
    )
    deadline = time.monotonic() + 15
    while len(api.mails_to(email)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    notice = api.mails_to(email)[-1]
    assert "tried to sign up" in notice.text
    # The account is unchanged: its code still verifies it and its password still works.
    verified = api.http.post("/api/v1/auth/verify", json={"email": email, "code": code})
    assert verified.status_code == 200
    api.login(email)


def test_wrong_password_and_unknown_email_look_alike(api: Api) -> None:
    email = api.verified_member()
    wrong = api.http.post("/api/v1/auth/login", json={"email": email, "password": "x" * 12})
    unknown = api.http.post(
        "/api/v1/auth/login", json={"email": api.new_email(), "password": PASSWORD}
    )
    one = _problem(wrong, 401, "invalid_credentials")
    two = _problem(unknown, 401, "invalid_credentials")
    assert one["detail"] == two["detail"]


def test_refresh_rotates_and_reuse_closes_the_session(api: Api) -> None:
    email = api.verified_member()
    first = api.login(email)
    rotated = api.http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api.http.get("/api/v1/me", headers=api.bearer(second)).status_code == 200

    reuse = api.http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    _problem(reuse, 401, "refresh_token_reused")
    newest = api.http.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    _problem(newest, 401, "invalid_refresh_token")
    _problem(api.http.get("/api/v1/me", headers=api.bearer(second)), 401, "session_revoked")


def test_logout_and_logout_everywhere(api: Api) -> None:
    email = api.verified_member()
    phone, laptop, tablet = (api.login(email, device=d) for d in ("phone", "laptop", "tablet"))
    out = api.http.post("/api/v1/auth/logout", json={"refresh_token": phone["refresh_token"]})
    assert out.status_code == 204
    _problem(api.http.get("/api/v1/me", headers=api.bearer(phone)), 401, "session_revoked")
    assert api.http.get("/api/v1/me", headers=api.bearer(laptop)).status_code == 200

    everywhere = api.http.post("/api/v1/auth/logout-all", headers=api.bearer(laptop))
    assert everywhere.status_code == 204
    for tokens in (laptop, tablet):
        _problem(api.http.get("/api/v1/me", headers=api.bearer(tokens)), 401, "session_revoked")


def test_sessions_are_listed_and_only_your_own_can_be_closed(api: Api) -> None:
    ada, bob = api.verified_member(), api.verified_member()
    ada_phone, ada_laptop = api.login(ada, device="phone"), api.login(ada, device="laptop")
    bob_tokens = api.login(bob, device="bob's phone")

    listed = api.http.get("/api/v1/auth/sessions", headers=api.bearer(ada_phone))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert sorted(item["device"] for item in items) == ["laptop", "phone"]
    assert {"session_id", "device", "created_at", "last_used_at"} <= set(items[0])

    bob_sessions = api.http.get("/api/v1/auth/sessions", headers=api.bearer(bob_tokens)).json()
    bob_session_id = bob_sessions["items"][0]["session_id"]
    stolen = api.http.delete(
        f"/api/v1/auth/sessions/{bob_session_id}", headers=api.bearer(ada_phone)
    )
    _problem(stolen, 404, "session_not_found")
    assert api.http.get("/api/v1/me", headers=api.bearer(bob_tokens)).status_code == 200

    laptop_id = next(i["session_id"] for i in items if i["device"] == "laptop")
    closed = api.http.delete(f"/api/v1/auth/sessions/{laptop_id}", headers=api.bearer(ada_phone))
    assert closed.status_code == 204
    _problem(api.http.get("/api/v1/me", headers=api.bearer(ada_laptop)), 401, "session_revoked")


def test_password_reset(api: Api) -> None:
    email = api.verified_member()
    old = api.login(email)
    seen = len(api.mails_to(email))
    for who in (email, api.new_email()):
        asked = api.http.post("/api/v1/auth/password-reset", json={"email": who})
        assert asked.status_code == 202
    code = api.wait_for_code(email, already_seen=seen)
    new_password = "another splendid passphrase"
    weak = api.http.post(
        "/api/v1/auth/password-reset/confirm",
        json={"email": email, "code": code, "new_password": "short"},
    )
    assert _problem(weak, 422, "validation_failed")["errors"][0]["field"] == "new_password"
    done = api.http.post(
        "/api/v1/auth/password-reset/confirm",
        json={"email": email, "code": code, "new_password": new_password},
    )
    assert done.status_code == 204
    _problem(api.http.get("/api/v1/me", headers=api.bearer(old)), 401, "session_revoked")
    stale = api.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    _problem(stale, 401, "invalid_credentials")
    api.login(email, new_password)


def test_missing_and_forged_tokens_are_401(api: Api) -> None:
    missing = api.http.get("/api/v1/me")
    _problem(missing, 401, "missing_token")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    forged = api.http.get("/api/v1/me", headers={"authorization": "Bearer abc.def.ghi"})
    _problem(forged, 401, "invalid_token")


def test_health_metrics_and_openapi(api: Api) -> None:
    assert api.http.get("/health/live").json()["status"] == "ok"
    ready = api.http.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "rate_limiter": "ok"},
    }
    assert "x-request-id" in ready.headers

    metrics = api.http.get("/metrics")
    assert metrics.status_code == 200
    assert "saltbitter_requests_total" in metrics.text

    schema = api.http.get("/schema/openapi.json").json()
    login = schema["paths"]["/api/v1/auth/login"]["post"]
    assert {"401", "403", "422", "429"} <= set(login["responses"])
    me = schema["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"BearerToken": []}]
