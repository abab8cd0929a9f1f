"""Members, matches and WebSockets for the conversations API tests."""

from __future__ import annotations

import asyncio
import json
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from saltbitter.application.safety.moderation import ChangeRole
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings
from support.live_api import Api

__all__ = [
    "Member",
    "closed_with",
    "grant_role",
    "man",
    "matched_pair",
    "member",
    "next_event",
    "open_socket",
    "signed_in",
    "ws_url",
]

BERLIN = {"lat": 52.52, "lon": 13.405}


@dataclass
class Member:
    user_id: str
    headers: dict[str, str]
    token: str
    email: str = ""


def signed_in(api: Api, **sign_up: Any) -> Member:
    """A verified, logged-in member with no profile yet; ``sign_up`` overrides fields of
    the registration body (a ``timezone``, say)."""
    email = api.verified_member(**sign_up)
    tokens = api.login(email)
    headers = api.bearer(tokens)
    user_id = api.http.get("/api/v1/me", headers=headers).json()["user_id"]
    return Member(user_id, headers, tokens["access_token"], email)


def member(
    api: Api,
    gender: str = "woman",
    sought: str = "man",
    location: dict[str, float] | None = None,
    **profile: Any,
) -> Member:
    """A verified, logged-in member with a complete profile (in Berlin unless told);
    ``profile`` overrides fields of the profile body (``visibility``, ``interests``, ...)."""
    someone = signed_in(api)
    body = {
        "gender": gender,
        "genders_sought": [sought],
        "age_min": 18,
        "age_max": 99,
        "interests": ["hiking", "jazz", "cooking"],
        "location": location or BERLIN,
        "max_distance_km": 50,
        "bio": "Weekend hiker.",
        **profile,
    }
    saved = api.http.put("/api/v1/me/profile", json=body, headers=someone.headers)
    assert saved.status_code == 200, saved.text
    return someone


def man(api: Api, location: dict[str, float] | None = None, **profile: Any) -> Member:
    """A man seeking women (:func:`member` is a woman seeking men unless told)."""
    return member(api, "man", "woman", location, **profile)


def grant_role(settings: Settings, email: str, role: str, *, granted: bool = True) -> None:
    """Give (or take back) a role as ``saltbitter users role`` does: in a container of its
    own on the live server's storage."""

    async def change() -> None:
        container = await build_container(settings)
        try:
            async with container() as scope:
                await (await scope.get(ChangeRole))(email, role, granted=granted)
        finally:
            await stop_container(container)

    asyncio.run(change())


def matched_pair(api: Api) -> tuple[Member, Member, str]:
    ada, bo = member(api), man(api)
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
