"""Data export over HTTP: the local folder on SQLite, S3 (moto's server) on PostgreSQL +
Redis. A member with a photo asks for their data, polls until the archive is ready,
downloads it by its signed link and finds their data and nothing of another member's."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_s3 import S3Client

from saltbitter.adapters.images import generated_photo
from saltbitter.adapters.photos import s3_client
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import signed_in
from support.live_api import PASSWORD, Api

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def s3_bucket_settings() -> Iterator[dict[str, Any]]:
    """A moto S3 endpoint with a bucket, and credentials for boto3's default chain."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.delenv("AWS_PROFILE", raising=False)
        bucket = f"exports-{uuid.uuid4().hex[:8]}"
        client = cast(S3Client, s3_client("us-east-1", endpoint_url=endpoint))
        client.create_bucket(Bucket=bucket)
        yield {"s3_endpoint_url": endpoint, "s3_bucket": bucket, "s3_region": "us-east-1"}
    server.stop()


@pytest.fixture(scope="module")
def backend_settings(backend_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Real mode (PostgreSQL + Redis) stores archives in S3; embedded mode in a folder."""
    if backend_settings.uses_sqlite:
        return backend_settings
    return replace(backend_settings, **request.getfixturevalue("s3_bucket_settings"))


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    return body


def _ready(api: Api, headers: dict[str, str], request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = api.http.get(f"/api/v1/me/data-export/{request_id}", headers=headers)
        assert response.status_code == 200, response.text
        body = dict(response.json())
        if body["status"] != "pending":
            return body
        time.sleep(0.1)
    raise AssertionError("the export stayed pending")


def test_a_member_downloads_their_archive_and_nothing_of_anyone_else(
    api: Api, backend_settings: Settings
) -> None:
    me, other = signed_in(api), signed_in(api)
    for who in (me.headers, other.headers):
        uploaded = api.http.post(
            "/api/v1/me/photos",
            files={"file": ("me.jpg", generated_photo(7), "image/jpeg")},
            headers=who,
        )
        assert uploaded.status_code == 201, uploaded.text

    started = api.http.post("/api/v1/me/data-export", headers=me.headers)
    assert started.status_code == 202, started.text
    request_id = started.json()["request_id"]
    uuid.UUID(request_id)

    again = api.http.post("/api/v1/me/data-export", headers=me.headers)
    _problem(again, 429, "export_rate_limited")
    assert 86_000 < int(again.headers["retry-after"]) <= 86_400

    _problem(
        api.http.get(f"/api/v1/me/data-export/{request_id}", headers=other.headers),
        404,
        "data_export_not_found",
    )

    ready = _ready(api, me.headers, request_id)
    assert ready["status"] == "ready", ready
    expires = datetime.fromisoformat(ready["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(expires.tzinfo) <= timedelta(days=7)
    url = ready["url"]
    if backend_settings.s3_bucket:
        assert url.startswith("http")
        assert "X-Amz-Expires=604800" in url
    else:
        assert url.startswith("/api/v1/export-files/exports/")
        tampered = api.http.get(url.replace("signature=", "signature=0"))
        _problem(tampered, 404, "export_not_found")

    download = api.http.get(url)
    assert download.status_code == 200, download.text
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = set(archive.namelist())
        contents = {name: archive.read(name) for name in names}
    assert {"README.md", "accounts.json", "profiles.json", "privacy.json"} <= names
    photos = [name for name in names if name.startswith("photos/")]
    assert len(photos) == 1
    assert contents[photos[0]][:2] == b"\xff\xd8"  # the stored JPEG
    accounts = json.loads(contents["accounts.json"])
    assert [row["email"] for row in accounts["tables"]["users"]] == [me.email]
    profiles = json.loads(contents["profiles.json"])
    assert [row["user_id"] for row in profiles["tables"]["photos"]] == [me.user_id]
    everything = b"".join(contents.values())
    assert other.email.encode() not in everything
    assert other.user_id.encode() not in everything
    assert b"password_hash" not in everything

    deadline = time.monotonic() + 15
    while not any("export is ready" in m.subject for m in api.mails_to(me.email)):
        assert time.monotonic() < deadline, "no ready email"
        time.sleep(0.1)
    assert not any("export" in m.subject for m in api.mails_to(other.email))


def test_export_routes_need_a_member(api: Api) -> None:
    _problem(api.http.post("/api/v1/me/data-export"), 401, "missing_token")
    headers = signed_in(api).headers
    _problem(
        api.http.get(f"/api/v1/me/data-export/{uuid.uuid4()}", headers=headers),
        404,
        "data_export_not_found",
    )


def test_a_member_awaiting_deletion_still_exports_and_downloads_their_data(api: Api) -> None:
    # The right of access lasts until the erasure (ADR 0031): the grace period's token
    # admits the export routes as it admits /me, and still only for the member's own.
    owner = signed_in(api)
    other_headers = signed_in(api).headers
    asked = api.http.post("/api/v1/me/deletion", json={"password": PASSWORD}, headers=owner.headers)
    assert asked.status_code == 202, asked.text
    pending = api.bearer(api.login(owner.email))
    _problem(api.http.get("/api/v1/matches", headers=pending), 403, "deletion_pending")

    started = api.http.post("/api/v1/me/data-export", headers=pending)
    assert started.status_code == 202, started.text
    request_id = started.json()["request_id"]
    _problem(
        api.http.get(f"/api/v1/me/data-export/{request_id}", headers=other_headers),
        404,
        "data_export_not_found",
    )
    other_export = api.http.post("/api/v1/me/data-export", headers=other_headers)
    assert other_export.status_code == 202, other_export.text
    _problem(
        api.http.get(
            f"/api/v1/me/data-export/{other_export.json()['request_id']}", headers=pending
        ),
        404,
        "data_export_not_found",
    )

    ready = _ready(api, pending, request_id)
    assert ready["status"] == "ready", ready
    download = api.http.get(ready["url"])
    assert download.status_code == 200, download.text
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        accounts = json.loads(archive.read("accounts.json"))
    [me] = accounts["tables"]["users"]
    assert (me["email"], me["id"], me["status"]) == (owner.email, owner.user_id, "pending_deletion")
