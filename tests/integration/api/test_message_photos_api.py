"""Photo messages over HTTP: the local folder on SQLite, S3 (moto's server) on
PostgreSQL + Redis, as profile photos are tested."""

from __future__ import annotations

import io
import uuid
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

import httpx
import pytest
from PIL import Image

from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, matched_pair, member, next_event, open_socket
from support.live_api import Api
from support.photos import GPS_IFD, jpeg_with_gps, s3_bucket_settings  # noqa: F401

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def backend_settings(backend_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Real mode (PostgreSQL + Redis) stores pictures in S3; embedded mode in the folder."""
    if backend_settings.uses_sqlite:
        return backend_settings
    return replace(backend_settings, **request.getfixturevalue("s3_bucket_settings"))


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    return body


def _send_photo(
    api: Api,
    who: Member,
    match_id: str,
    data: bytes,
    key: str | None = None,
    caption: str | None = None,
) -> httpx.Response:
    fields = {"client_message_id": key or uuid.uuid4().hex}
    if caption is not None:
        fields["body"] = caption
    return api.http.post(
        f"/api/v1/matches/{match_id}/messages/photos",
        files={"file": ("holiday.jpg", data, "image/jpeg")},
        data=fields,
        headers=who.headers,
    )


def _fetch(api: Api, url: str) -> httpx.Response:
    # Local links are relative to the API; S3 ones are absolute (httpx picks correctly).
    return api.http.get(url)


def test_a_photo_message_is_stripped_stored_and_seen_by_the_two_members_only(
    api: Api, backend_settings: Settings
) -> None:
    ada, bo, match_id = matched_pair(api)
    stranger = member(api, "woman", "man")
    with ExitStack() as stack:
        socket = open_socket(stack, str(api.http.base_url).rstrip("/"), bo.token)
        sent = _send_photo(api, ada, match_id, jpeg_with_gps(), key="pic-1", caption=" Look ")
        assert sent.status_code == 201, sent.text
        message = sent.json()
        pushed = next_event(socket, "message.new")["message"]
    assert message["body"] == "Look"
    attachment = message["attachment"]
    assert set(attachment) == {"kind", "url", "expires_at", "width", "height"}
    assert (attachment["kind"], attachment["width"], attachment["height"]) == ("photo", 640, 480)
    assert pushed["id"] == message["id"]
    assert pushed["attachment"]["kind"] == "photo"

    # PostgreSQL + Redis: in S3 (a presigned, absolute link); SQLite: the local folder.
    assert attachment["url"].startswith("http") is (not backend_settings.uses_sqlite)
    served = _fetch(api, attachment["url"])
    assert served.status_code == 200
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (640, 480)
    assert dict(stored.getexif().get_ifd(GPS_IFD)) == {}
    assert b"PhoneCo" not in served.content

    again = _send_photo(api, ada, match_id, jpeg_with_gps(), key="pic-1")
    assert again.status_code == 200
    assert again.json()["id"] == message["id"]

    history = api.http.get(f"/api/v1/matches/{match_id}/messages", headers=bo.headers).json()
    [item] = history["items"]
    assert item["attachment"]["kind"] == "photo"
    assert _fetch(api, item["attachment"]["url"]).status_code == 200

    link_path = f"/api/v1/matches/{match_id}/messages/{message['id']}/photo"
    for who in (ada, bo):
        link = api.http.get(link_path, headers=who.headers)
        assert link.status_code == 200, link.text
        assert link.json()["kind"] == "photo"
        assert _fetch(api, link.json()["url"]).status_code == 200
    _problem(api.http.get(link_path, headers=stranger.headers), 404, "match_not_found")
    # The stranger's own match id with somebody else's message: still nothing.
    _, _, own_match = matched_pair(api)
    _problem(
        api.http.post(
            f"/api/v1/matches/{match_id}/messages/photos",
            files={"file": ("x.jpg", jpeg_with_gps(), "image/jpeg")},
            data={"client_message_id": "k"},
            headers=stranger.headers,
        ),
        404,
        "match_not_found",
    )
    _problem(
        api.http.get(
            f"/api/v1/matches/{match_id}/messages/{uuid.uuid4()}/photo", headers=bo.headers
        ),
        404,
        "message_not_found",
    )
    assert own_match != match_id


def test_text_messages_carry_a_null_attachment(api: Api) -> None:
    ada, bo, match_id = matched_pair(api)
    sent = api.http.post(
        f"/api/v1/matches/{match_id}/messages",
        json={"body": "Hi", "client_message_id": "t1"},
        headers=ada.headers,
    )
    assert sent.json()["attachment"] is None
    link = api.http.get(
        f"/api/v1/matches/{match_id}/messages/{sent.json()['id']}/photo", headers=bo.headers
    )
    _problem(link, 404, "message_not_found")


def test_not_an_image_is_refused_on_the_file_field(api: Api) -> None:
    ada, _, match_id = matched_pair(api)
    response = _send_photo(api, ada, match_id, b"%PDF-1.7 not a picture")
    body = _problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["file"]
    missing_key = api.http.post(
        f"/api/v1/matches/{match_id}/messages/photos",
        files={"file": ("x.jpg", jpeg_with_gps(), "image/jpeg")},
        headers=ada.headers,
    )
    body = _problem(missing_key, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["client_message_id"]


@pytest.mark.parametrize("closing", ["unmatch", "block"])
def test_after_unmatch_or_block_the_photo_link_is_closed_for_both(api: Api, closing: str) -> None:
    ada, bo, match_id = matched_pair(api)
    sent = _send_photo(api, ada, match_id, jpeg_with_gps())
    assert sent.status_code == 201, sent.text
    if closing == "unmatch":
        done = api.http.delete(f"/api/v1/matches/{match_id}", headers=bo.headers)
    else:
        done = api.http.post("/api/v1/blocks", json={"user_id": ada.user_id}, headers=bo.headers)
    assert done.status_code in {200, 201, 204}, done.text
    link_path = f"/api/v1/matches/{match_id}/messages/{sent.json()['id']}/photo"
    for who in (ada, bo):
        _problem(api.http.get(link_path, headers=who.headers), 404, "conversation_closed")
    _problem(_send_photo(api, ada, match_id, jpeg_with_gps()), 404, "conversation_closed")
