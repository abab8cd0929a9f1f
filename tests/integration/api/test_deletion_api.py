"""Account deletion over HTTP (docs/privacy.md): the password check, the member vanishing
for everyone at once, signing in during the grace period, and cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from support.conversations_api import man, member
from support.live_api import PASSWORD, Api

PROBLEM = "application/problem+json"
PLACE = {"lat": 64.14, "lon": -21.94}  # nobody else's tests live here


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code, response.text


def _seen_by(api: Api, headers: dict[str, str], member: str) -> dict[str, Any]:
    """Where ``member`` shows for the caller: their profile, matches, conversations."""
    matches = api.http.get("/api/v1/matches", headers=headers).json()["items"]
    conversations = api.http.get("/api/v1/conversations", headers=headers).json()["items"]
    return {
        "profile": api.http.get(f"/api/v1/profiles/{member}", headers=headers).status_code,
        "matches": [m["member"]["user_id"] for m in matches],
        "conversations": [c["member"]["user_id"] for c in conversations],
    }


def test_deletion_hides_the_member_until_cancelled(api: Api) -> None:
    ada, bo = member(api, location=PLACE), man(api, PLACE)
    ada_id, bo_id = ada.user_id, bo.user_id
    assert (
        api.http.post("/api/v1/likes", json={"user_id": bo_id}, headers=ada.headers).status_code
        == 201
    )
    liked = api.http.post("/api/v1/likes", json={"user_id": ada_id}, headers=bo.headers)
    match_id = liked.json()["match_id"]
    sent = api.http.post(
        f"/api/v1/matches/{match_id}/messages",
        json={"body": "Hello from the fjords", "client_message_id": "m-1"},
        headers=bo.headers,
    )
    assert sent.status_code in (200, 201, 202), sent.text
    visible = {"profile": 200, "matches": [bo_id], "conversations": [bo_id]}
    assert _seen_by(api, ada.headers, bo_id) == visible

    _problem(
        api.http.post(
            "/api/v1/me/deletion", json={"password": "not it at all"}, headers=bo.headers
        ),
        403,
        "wrong_password",
    )
    assert _seen_by(api, ada.headers, bo_id) == visible

    asked = api.http.post("/api/v1/me/deletion", json={"password": PASSWORD}, headers=bo.headers)
    assert asked.status_code == 202, asked.text
    due = datetime.fromisoformat(asked.json()["erasure_due_at"])
    assert abs(due - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)

    # Gone for everyone at once, and signed out everywhere.
    assert _seen_by(api, ada.headers, bo_id) == {"profile": 404, "matches": [], "conversations": []}
    _problem(api.http.get("/api/v1/me", headers=bo.headers), 401, "session_revoked")

    # Signing in works and says so; only the account routes answer.
    tokens = api.login(bo.email)
    assert tokens["deletion_pending"] is True
    assert datetime.fromisoformat(tokens["erasure_due_at"]) == due
    again = api.bearer(tokens)
    me = api.http.get("/api/v1/me", headers=again).json()
    assert me["deletion_pending"] is True
    assert datetime.fromisoformat(me["erasure_due_at"]) == due
    _problem(api.http.get("/api/v1/matches", headers=again), 403, "deletion_pending")
    assert _seen_by(api, ada.headers, bo_id)["matches"] == []

    cancelled = api.http.delete("/api/v1/me/deletion", headers=again)
    assert cancelled.status_code == 204, cancelled.text
    assert _seen_by(api, ada.headers, bo_id) == visible
    assert api.http.get("/api/v1/me", headers=again).json()["deletion_pending"] is False
    assert api.http.get("/api/v1/matches", headers=again).status_code == 200
    _problem(api.http.delete("/api/v1/me/deletion", headers=again), 404, "deletion_not_pending")
