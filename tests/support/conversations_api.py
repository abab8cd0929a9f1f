"""Members, matches and WebSockets for the conversations API tests."""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from support.live_api import Api

__all__ = [
    "Member",
    "closed_with",
    "matched_pair",
    "member",
    "next_event",
    "open_socket",
    "ws_url",
]

BERLIN = {"lat": 52.52, "lon": 13.405}


@dataclass
class Member:
    user_id: str
    headers: dict[str, str]
    token: str
    email: str = ""


def member(api: Api, gender: str, sought: str, location: dict[str, float] | None = None) -> Member:
    """A verified, logged-in member with a complete profile (in Berlin unless told)."""
    email = api.verified_member()
    tokens = api.login(email)
    headers = api.bearer(tokens)
    user_id = api.http.get("/api/v1/me", headers=headers).json()["user_id"]
    body = {
        "gender": gender,
        "genders_sought": [sought],
        "age_min": 18,
        "age_max": 99,
        "interests": ["hiking", "jazz", "cooking"],
        "location": location or BERLIN,
        "max_distance_km": 50,
        "bio": "Weekend hiker.",
    }
    saved = api.http.put("/api/v1/me/profile", json=body, headers=headers)
    assert saved.status_code == 200, saved.text
    return Member(user_id, headers, tokens["access_token"], email)


def matched_pair(api: Api) -> tuple[Member, Member, str]:
    ada, bo = member(api, "woman", "man"), member(api, "man", "woman")
    assert api.http.post("/api/v1/likes", json={"user_id": bo.user_id}, headers=ada.headers)
    liked = api.http.post("/api/v1/likes", json={"user_id": ada.user_id}, headers=bo.headers)
    assert liked.json()["matched"] is True, liked.text
    return ada, bo, liked.json()["match_id"]


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/v1/ws"


def open_socket(stack: ExitStack, base: str, token: str) -> ClientConnection:
    socket = stack.enter_context(connect(ws_url(base), open_timeout=10))
    socket.send(json.dumps({"type": "auth", "token": token}))
    assert json.loads(socket.recv(timeout=10)) == {"type": "ready"}
    return socket


def next_event(socket: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        event = json.loads(socket.recv(timeout=timeout))
        if event["type"] == kind:
            return dict(event)


def closed_with(socket: ClientConnection, timeout: float = 15) -> int | None:
    try:
        while True:
            socket.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
