"""Conversations over HTTP (and the WebSocket), against SQLite and PostgreSQL + Redis."""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from support.conversations_api import (
    Member,
    closed_with,
    matched_pair,
    member,
    next_event,
    open_socket,
    ws_url,
)
from support.live_api import Api, LiveServer

PROBLEM = "application/problem+json"
BERLIN = {"lat": 52.52, "lon": 13.405}


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    return body


def _send(
    api: Api, who: Member, match_id: str, body: str, key: str | None = None
) -> httpx.Response:
    return api.http.post(
        f"/api/v1/matches/{match_id}/messages",
        json={"body": body, "client_message_id": key or uuid.uuid4().hex},
        headers=who.headers,
    )


MESSAGE_KEYS = {
    "id",
    "match_id",
    "sender_id",
    "body",
    "created_at",
    "delivered_at",
    "read_at",
    "status",
    "attachment",
}


def test_two_members_talk_and_nobody_else_can(api: Api) -> None:
    ada, bo, match_id = matched_pair(api)
    stranger = member(api, "woman", "man")
    sent = _send(api, ada, match_id, "  Hi Bo!  ", key="first")
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert set(message) >= MESSAGE_KEYS
    assert message["body"] == "Hi Bo!"
    assert message["status"] == "sent"
    again = _send(api, ada, match_id, "Hi Bo!", key="first")
    assert again.status_code == 200
    assert again.json()["id"] == message["id"]

    history = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=bo.headers)
    assert history.status_code == 200
    page = history.json()
    assert page["next_cursor"] is None
    [item] = page["items"]
    assert set(item) == MESSAGE_KEYS
    assert item["id"] == message["id"]

    inbox = api.http.get("/api/v1/conversations", headers=bo.headers).json()
    [conversation] = inbox["items"]
    assert conversation["match_id"] == match_id
    assert conversation["member"]["user_id"] == ada.user_id
    assert conversation["last_message"]["id"] == message["id"]
    assert conversation["unread_count"] == 1

    read = api.http.post(
        f"/api/v1/matches/{match_id}/read",
        json={"up_to_message_id": message["id"]},
        headers=bo.headers,
    )
    assert read.status_code == 204, read.text
    inbox = api.http.get("/api/v1/conversations", headers=bo.headers).json()
    assert inbox["items"][0]["unread_count"] == 0

    # The cross-user matrix: someone else's match id is not found, for every route.
    for response in (
        _send(api, stranger, match_id, "hello?"),
        api.http.get(f"/api/v1/matches/{match_id}/messages", headers=stranger.headers),
        api.http.post(
            f"/api/v1/matches/{match_id}/read",
            json={"up_to_message_id": message["id"]},
            headers=stranger.headers,
        ),
        api.http.get(f"/api/v1/matches/{uuid.uuid4()}/messages", headers=ada.headers),
    ):
        _problem(response, 404, "match_not_found")
    assert api.http.get("/api/v1/conversations", headers=stranger.headers).json()["items"] == []
    # Without a token: 401.
    assert api.http.get(f"/api/v1/matches/{match_id}/messages").status_code == 401


def test_bad_input_is_422_with_field_details(api: Api) -> None:
    ada, _, match_id = matched_pair(api)
    for body, field in (("   ", "body"), ("x" * 2001, "body")):
        problem = _problem(_send(api, ada, match_id, body), 422, "validation_failed")
        assert [e["field"] for e in problem["errors"]] == [field]
    missing = api.http.post(
        f"/api/v1/matches/{match_id}/messages", json={"body": "hi"}, headers=ada.headers
    )
    assert missing.status_code == 422
    too_many = api.http.get(
        f"/api/v1/matches/{match_id}/messages", params={"limit": 51}, headers=ada.headers
    )
    assert too_many.status_code == 422
    bad_cursor = api.http.get(
        f"/api/v1/matches/{match_id}/messages", params={"before": "nonsense"}, headers=ada.headers
    )
    assert bad_cursor.status_code == 422


def test_history_pages_newest_first(api: Api) -> None:
    ada, bo, match_id = matched_pair(api)
    ids = [_send(api, ada, match_id, f"m{n}").json()["id"] for n in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["before"] = cursor
        page = api.http.get(
            f"/api/v1/matches/{match_id}/messages", params=params, headers=bo.headers
        ).json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]


def test_unmatch_closes_the_conversation_for_both(api: Api) -> None:
    ada, bo, match_id = matched_pair(api)
    message = _send(api, ada, match_id, "Hi").json()
    assert api.http.delete(f"/api/v1/matches/{match_id}", headers=bo.headers).status_code == 204
    for who in (ada, bo):
        _problem(
            api.http.get(f"/api/v1/matches/{match_id}/messages", headers=who.headers),
            404,
            "conversation_closed",
        )
        _problem(_send(api, who, match_id, "still there?"), 404, "conversation_closed")
        _problem(
            api.http.post(
                f"/api/v1/matches/{match_id}/read",
                json={"up_to_message_id": message["id"]},
                headers=who.headers,
            ),
            404,
            "conversation_closed",
        )
        assert api.http.get("/api/v1/conversations", headers=who.headers).json()["items"] == []


def test_held_messages_reach_only_their_sender(api: Api) -> None:
    ada, bo, match_id = matched_pair(api)
    held = _send(api, ada, match_id, "Send me money via western union please")
    assert held.status_code == 201
    assert held.json()["status"] == "held"
    assert held.json()["notice"]
    bo_sees = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=bo.headers).json()
    assert bo_sees["items"] == []


def test_twenty_concurrent_sends_with_one_key_make_one_message(api: Api) -> None:
    ada, bo, match_id = matched_pair(api)
    statuses: list[int] = []
    ids: list[str] = []
    lock = threading.Lock()

    def send() -> None:
        with httpx.Client(base_url=str(api.http.base_url), timeout=30) as client:
            response = client.post(
                f"/api/v1/matches/{match_id}/messages",
                json={"body": "once", "client_message_id": "the-same-key"},
                headers=ada.headers,
            )
        with lock:
            statuses.append(response.status_code)
            if response.status_code in (200, 201):
                ids.append(response.json()["id"])

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 19 + [201], statuses
    assert len(set(ids)) == 1
    history = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=bo.headers).json()
    assert [m["id"] for m in history["items"]] == ids[:1]


# The WebSocket ------------------------------------------------------------------------


def test_a_burst_to_many_devices_is_noted_delivered_once_per_message(api: Api) -> None:
    """Delivery receipts are batched per process: three devices and a burst of five
    messages still give the sender exactly one ``message.delivered`` per message."""
    base = str(api.http.base_url)
    ada, bo, match_id = matched_pair(api)
    with ExitStack() as stack:
        devices = [open_socket(stack, base, bo.token) for _ in range(3)]
        sender_socket = open_socket(stack, base, ada.token)
        sent = [_send(api, ada, match_id, f"burst {n}").json()["id"] for n in range(5)]
        for device in devices:
            got = [next_event(device, "message.new")["message"]["id"] for _ in sent]
            assert got == sent
        delivered = [next_event(sender_socket, "message.delivered") for _ in sent]
        assert sorted(d["message_id"] for d in delivered) == sorted(sent)
        assert {d["match_id"] for d in delivered} == {match_id}
        sender_socket.send(json.dumps({"type": "ping"}))
        later = []
        while (event := json.loads(sender_socket.recv(timeout=10)))["type"] != "pong":
            later.append(event["type"])
        assert "message.delivered" not in later  # no second receipt for any of them
        history = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=ada.headers)
        statuses = {m["id"]: (m["status"], m["delivered_at"]) for m in history.json()["items"]}
        assert all(status == "delivered" and at for status, at in statuses.values())


def test_messages_arrive_live_on_every_device_and_resume_fills_gaps(api: Api) -> None:
    base = str(api.http.base_url)
    ada, bo, match_id = matched_pair(api)
    with ExitStack() as stack:
        phone, laptop = open_socket(stack, base, bo.token), open_socket(stack, base, bo.token)
        sender_socket = open_socket(stack, base, ada.token)
        sent = _send(api, ada, match_id, "Live!").json()
        for socket in (phone, laptop):
            event = next_event(socket, "message.new")
            assert event["message"]["id"] == sent["id"]
            assert set(event["message"]) == MESSAGE_KEYS
        delivered = next_event(sender_socket, "message.delivered")
        assert delivered["message_id"] == sent["id"]

        laptop.close()
        missed = [_send(api, ada, match_id, f"while away {n}").json()["id"] for n in range(3)]
        resumed = open_socket(stack, base, bo.token)
        resumed.send(json.dumps({"type": "resume", "last_seen_message_id": sent["id"]}))
        got = [next_event(resumed, "message.new")["message"]["id"] for _ in range(3)]
        assert got == missed
        # Exactly once: live copies of the same messages are not repeated afterwards.
        resumed.send(json.dumps({"type": "ping"}))
        assert next_event(resumed, "pong")["type"] == "pong"
        resumed.close()

        phone.send(json.dumps({"type": "typing", "match_id": match_id}))
        typing = next_event(sender_socket, "typing")
        assert typing["member_id"] == bo.user_id


def test_a_socket_without_a_valid_auth_frame_is_closed_with_4401(api: Api) -> None:
    base = str(api.http.base_url)
    for frame in ("not json", json.dumps({"type": "auth", "token": "forged"}), "{}"):
        with connect(ws_url(base), open_timeout=10) as socket:
            socket.send(frame)
            assert closed_with(socket) == 4401


def test_a_silent_socket_and_a_revoked_session_are_closed_with_4401(
    live_server_factory: Any,
) -> None:
    server: LiveServer = live_server_factory(
        ws_auth_timeout_seconds=0.5, ws_session_check_seconds=0.5
    )
    with server, httpx.Client(base_url=server.url, timeout=30) as http:
        api = Api(http, server.settings.mail_folder)
        with connect(ws_url(server.url), open_timeout=10) as silent:
            assert closed_with(silent) == 4401
        email = api.verified_member()
        tokens = api.login(email)
        stack = ExitStack()
        socket = open_socket(stack, server.url, tokens["access_token"])
        out = http.post("/api/v1/auth/logout-all", headers=api.bearer(tokens))
        assert out.status_code in (200, 204), out.text
        with stack:
            assert closed_with(socket) == 4401


@pytest.mark.parametrize("kind", ["match.new", "conversation.closed"])
def test_matching_events_reach_the_sockets(api: Api, kind: str) -> None:
    base = str(api.http.base_url)
    ada, bo = member(api, "woman", "man"), member(api, "man", "woman")
    with ExitStack() as stack:
        socket = open_socket(stack, base, ada.token)
        api.http.post("/api/v1/likes", json={"user_id": bo.user_id}, headers=ada.headers)
        liked = api.http.post("/api/v1/likes", json={"user_id": ada.user_id}, headers=bo.headers)
        match_id = liked.json()["match_id"]
        if kind == "conversation.closed":
            api.http.delete(f"/api/v1/matches/{match_id}", headers=bo.headers)
        event = next_event(socket, kind, timeout=20)
        assert event["match_id"] == match_id


def _types_until_pong(socket: Any, timeout: float = 10) -> list[str]:
    """The types of the events a socket receives before the answer to a ping."""
    socket.send(json.dumps({"type": "ping"}))
    seen = []
    while (kind := json.loads(socket.recv(timeout=timeout))["type"]) != "pong":
        seen.append(kind)
    return seen


@pytest.mark.parametrize("blocker", ["recipient", "sender"])
def test_a_block_closes_the_conversation_and_a_blocked_senders_message_never_arrives(
    api: Api, blocker: str
) -> None:
    base = str(api.http.base_url)
    ada, bo, match_id = matched_pair(api)  # ada sends, bo receives
    before = _send(api, ada, match_id, "Before").json()
    _send(api, ada, match_id, "Sent while bo was away")
    with ExitStack() as stack:
        ada_socket, bo_socket = (
            open_socket(stack, base, ada.token),
            open_socket(stack, base, bo.token),
        )
        by, of = (bo, ada) if blocker == "recipient" else (ada, bo)
        blocked = api.http.post("/api/v1/blocks", json={"user_id": of.user_id}, headers=by.headers)
        assert blocked.status_code == 201, blocked.text
        for socket in (ada_socket, bo_socket):
            assert next_event(socket, "conversation.closed", timeout=20)["match_id"] == match_id

        _problem(_send(api, ada, match_id, "Are you there?"), 404, "conversation_closed")
        for who in (ada, bo):
            _problem(
                api.http.get(f"/api/v1/matches/{match_id}/messages", headers=who.headers),
                404,
                "conversation_closed",
            )
            _problem(
                api.http.post(
                    f"/api/v1/matches/{match_id}/read",
                    json={"up_to_message_id": before["id"]},
                    headers=who.headers,
                ),
                404,
                "conversation_closed",
            )
            assert api.http.get("/api/v1/conversations", headers=who.headers).json()["items"] == []
        assert "message.new" not in _types_until_pong(bo_socket)

        # A reconnecting socket's catch-up skips the closed conversation.
        resumed = open_socket(stack, base, bo.token)
        resumed.send(json.dumps({"type": "resume", "last_seen_message_id": before["id"]}))
        assert "message.new" not in _types_until_pong(resumed)
