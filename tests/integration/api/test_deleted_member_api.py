"""After a member is erased, the other member keeps the conversation's history (ADR 0035):
the erased member's messages show as from a deleted member, with no body and no picture;
the remaining member's own messages are intact; nothing can be sent there any more."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from saltbitter.entrypoints.settings import Settings
from support.conversations_api import man, member
from support.erasure import erase_now
from support.live_api import Api
from support.photos import jpeg_with_gps

PROBLEM = "application/problem+json"
PLACE = {"lat": -45.03, "lon": 168.66}  # nobody else's tests live here


def _send(api: Api, headers: dict[str, str], match_id: str, body: str) -> dict[str, Any]:
    sent = api.http.post(
        f"/api/v1/matches/{match_id}/messages",
        json={"body": body, "client_message_id": uuid.uuid4().hex},
        headers=headers,
    )
    assert sent.status_code in (200, 201), sent.text
    return dict(sent.json())


def test_the_other_member_keeps_their_history_with_a_deleted_member(
    api: Api, backend_settings: Settings
) -> None:
    ada, bo = member(api, location=PLACE), man(api, PLACE)
    ada_id, bo_id = ada.user_id, bo.user_id
    assert (
        api.http.post("/api/v1/likes", json={"user_id": bo_id}, headers=ada.headers).status_code
        == 201
    )
    match_id = api.http.post("/api/v1/likes", json={"user_id": ada_id}, headers=bo.headers).json()[
        "match_id"
    ]
    ada_first = _send(api, ada.headers, match_id, "Hi Bo, it is Ada from the lake")
    bo_reply = _send(api, bo.headers, match_id, "Hello Ada!")
    photo = api.http.post(
        f"/api/v1/matches/{match_id}/messages/photos",
        files={"file": ("lake.jpg", jpeg_with_gps(), "image/jpeg")},
        data={"client_message_id": uuid.uuid4().hex, "body": "the lake"},
        headers=ada.headers,
    )
    assert photo.status_code in (200, 201), photo.text
    ada_photo = photo.json()

    erase_now(backend_settings, ada.email)

    # Bo's inbox still lists the conversation, with a deleted member.
    [conversation] = [
        c
        for c in api.http.get("/api/v1/conversations", headers=bo.headers).json()["items"]
        if c["match_id"] == match_id
    ]
    assert conversation["member"] == {
        "user_id": None,
        "display_name": "Deleted member",
        "deleted": True,
    }
    assert conversation["last_message"]["sender_id"] is None
    assert conversation["last_message"]["body"] == ""
    # The history: Ada's messages from a deleted member, without words or picture;
    # Bo's own message as it was.
    history = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=bo.headers)
    assert history.status_code == 200, history.text
    items = {item["id"]: item for item in history.json()["items"]}
    assert set(items) == {ada_first["id"], bo_reply["id"], ada_photo["id"]}
    for gone in (ada_first["id"], ada_photo["id"]):
        assert (items[gone]["sender_id"], items[gone]["body"]) == (None, "")
        assert items[gone].get("attachment") is None
    assert (items[bo_reply["id"]]["sender_id"], items[bo_reply["id"]]["body"]) == (
        bo_id,
        "Hello Ada!",
    )
    # The picture's link is gone with it; nothing can be sent any more.
    link = api.http.get(
        f"/api/v1/matches/{match_id}/messages/{ada_photo['id']}/photo", headers=bo.headers
    )
    assert link.status_code == 404
    refused = api.http.post(
        f"/api/v1/matches/{match_id}/messages",
        json={"body": "Are you there?", "client_message_id": uuid.uuid4().hex},
        headers=bo.headers,
    )
    _problem(refused, 404, "conversation_closed")
    # No match any more, and nothing of Ada anywhere in what Bo reads.
    matches = api.http.get("/api/v1/matches", headers=bo.headers)
    assert matches.status_code == 200
    assert match_id not in matches.text
    seen = history.text + api.http.get("/api/v1/conversations", headers=bo.headers).text
    assert ada_id not in seen
    assert "Ada from the lake" not in seen


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code, response.text
