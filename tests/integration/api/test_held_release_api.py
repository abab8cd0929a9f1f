"""A held message a moderator dismisses reaches its recipient (history and socket);
another decision keeps it hidden. SQLite and PostgreSQL + Redis."""

from __future__ import annotations

import uuid
from contextlib import ExitStack

import pytest

from saltbitter.entrypoints.settings import Settings
from support.conversations_api import (
    Member,
    grant_role,
    matched_pair,
    member,
    next_event,
    open_socket,
)
from support.live_api import Api, eventually

SCAM = "Please buy me gift cards, I need money for rent"


def _moderator(api: Api, settings: Settings) -> dict[str, str]:
    email = api.verified_member()
    grant_role(settings, email, "moderator")
    return api.bearer(api.login(email))


def _queued(api: Api, moderator: dict[str, str], message_id: str) -> bool:
    queue = api.http.get("/api/v1/moderation/queue", headers=moderator)
    assert queue.status_code == 200, queue.text
    return any(item["id"] == message_id for item in queue.json()["items"])


def _history(api: Api, who: Member, match_id: str) -> list[dict[str, object]]:
    response = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.mark.parametrize("action", ["dismiss", "warn"])
def test_a_dismissed_held_message_is_released_to_the_recipient(
    api: Api, backend_settings: Settings, action: str
) -> None:
    moderator = _moderator(api, backend_settings)
    ada, bo, match_id = matched_pair(api)
    sent = api.http.post(
        f"/api/v1/matches/{match_id}/messages",
        json={"body": SCAM, "client_message_id": uuid.uuid4().hex},
        headers=ada.headers,
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "held"
    message_id = sent.json()["id"]
    assert _history(api, bo, match_id) == []
    # Screening's hold reaches the moderation queue through an event job, after the answer.
    assert eventually(lambda: _queued(api, moderator, message_id))

    with ExitStack() as stack:
        socket = open_socket(stack, str(api.http.base_url).rstrip("/"), bo.token)
        resolved = api.http.post(
            f"/api/v1/moderation/messages/{message_id}/resolve",
            json={"action": action, "note": "Checked."},
            headers=moderator,
        )
        assert resolved.status_code == 200, resolved.text
        if action == "dismiss":
            pushed = next_event(socket, "message.new")["message"]
            assert (pushed["id"], pushed["status"]) == (message_id, "sent")
    seen = [item["id"] for item in _history(api, bo, match_id)]
    assert seen == ([message_id] if action == "dismiss" else [])
    stranger = member(api, "woman", "man")
    assert (
        api.http.get(f"/api/v1/matches/{match_id}/messages", headers=stranger.headers).status_code
        == 404
    )
