"""Photos over HTTP: the local folder on SQLite, S3 (moto's server) on PostgreSQL + Redis."""

from __future__ import annotations

import io
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from PIL import Image

from saltbitter.adapters.images import generated_photo
from saltbitter.entrypoints.http.profiles import UPLOAD_BODY_LIMIT
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import signed_in
from support.live_api import Api, LiveServer
from support.photos import GPS_IFD, jpeg_with_gps, s3_bucket_settings  # noqa: F401

PROBLEM = "application/problem+json"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def backend_settings(backend_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Real mode (PostgreSQL + Redis) stores photos in S3; embedded mode in the folder."""
    if backend_settings.uses_sqlite:
        return backend_settings
    return replace(backend_settings, **request.getfixturevalue("s3_bucket_settings"))


def in_s3(url: str) -> bool:
    """Presigned S3 URLs are absolute; the API's own photo links are relative paths."""
    return url.startswith("http")


def upload(
    api: Api,
    headers: dict[str, str],
    data: bytes,
    *,
    name: str = "photo.jpg",
    declared: str = "image/jpeg",
) -> httpx.Response:
    return api.http.post(
        "/api/v1/me/photos", files={"file": (name, data, declared)}, headers=headers
    )


def fetch(api: Api, url: str) -> httpx.Response:
    # Local URLs are relative to the API; S3 ones are absolute (httpx picks correctly).
    return api.http.get(url)


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    return body


def file_error(response: httpx.Response) -> str:
    body = problem(response, 422, "validation_failed")
    (error,) = body["errors"]
    assert error["field"] == "file"
    return str(error["code"])


def test_upload_strips_gps_and_serves_by_signed_url(api: Api) -> None:
    me = signed_in(api)
    response = upload(api, me.headers, jpeg_with_gps())

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"photo_id", "url", "position", "width", "height", "content_type"}
    uuid.UUID(body["photo_id"])
    assert (body["position"], body["width"], body["height"]) == (0, 640, 480)
    assert body["content_type"] == "image/jpeg"

    served = fetch(api, body["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (640, 480)
    assert dict(stored.getexif()) == {}
    assert dict(stored.getexif().get_ifd(GPS_IFD)) == {}
    assert b"PhoneCo" not in served.content
    assert b"Exif\x00\x00" not in served.content
    if not in_s3(body["url"]):
        assert "private" in served.headers["cache-control"]
        assert body["url"].startswith(f"/api/v1/photo-files/{me.user_id}/")

    listed = api.http.get("/api/v1/me/photos", headers=me.headers)
    assert listed.status_code == 200
    assert [item["photo_id"] for item in listed.json()["items"]] == [body["photo_id"]]


def test_the_type_comes_from_the_bytes_not_the_name(api: Api) -> None:
    headers = signed_in(api).headers
    png = generated_photo(3, image_format="PNG")
    disguised = upload(api, headers, png, name="holiday.jpg", declared="image/jpeg")
    assert disguised.status_code == 201, disguised.text
    assert disguised.json()["content_type"] == "image/png"
    assert fetch(api, disguised.json()["url"]).headers["content-type"] == "image/png"
    webp = upload(api, headers, generated_photo(4, image_format="WEBP"), name="x.bin")
    assert webp.json()["content_type"] == "image/webp"

    gif = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 200, 30)).save(gif, "GIF")
    assert file_error(upload(api, headers, gif.getvalue(), name="me.jpg")) == (
        "unsupported_image_type"
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert file_error(upload(api, headers, svg, declared="image/png")) == "unsupported_image_type"
    assert file_error(upload(api, headers, b"\xff\xd8\xff" + b"\x00" * 500)) == "invalid_image"
    assert file_error(upload(api, headers, b"")) == "empty_file"


def test_moderation_refuses_tiny_and_blank_photos(api: Api) -> None:
    headers = signed_in(api).headers
    tiny = upload(api, headers, generated_photo(5, size=(120, 160)))
    assert file_error(tiny) == "image_too_small"
    blank = io.BytesIO()
    Image.new("RGB", (500, 500), (240, 240, 240)).save(blank, "JPEG")
    assert file_error(upload(api, headers, blank.getvalue())) == "image_nearly_blank"
    assert api.http.get("/api/v1/me/photos", headers=headers).json()["items"] == []


def test_a_small_file_declaring_a_huge_canvas_is_refused_unread(api: Api) -> None:
    # Issue 8: a few KB declaring 7000 x 7000 pixels used to be decoded in full (seconds
    # of CPU, hundreds of MB); now its header alone refuses it.
    headers = signed_in(api).headers
    canvas = io.BytesIO()
    Image.new("1", (7000, 7000)).save(canvas, "PNG")
    assert len(canvas.getvalue()) < 100_000
    assert file_error(upload(api, headers, canvas.getvalue())) == "image_too_large"


def test_bodies_over_10_mb_are_refused(api: Api) -> None:
    headers = signed_in(api).headers
    eleven = b"\xff\xd8\xff" + os.urandom(11 * MiB)
    problem(upload(api, headers, eleven), 413, "payload_too_large")
    assert api.http.get("/api/v1/me/photos", headers=headers).json()["items"] == []


def _raw_request(api: Api, head: str, body_parts: Iterator[bytes]) -> bytes:
    """Send a request by hand and read what comes back, WITHOUT finishing the body."""
    url = httpx.URL(str(api.http.base_url))
    with socket.create_connection((url.host, url.port), timeout=15) as sock:
        sock.sendall(head.encode())
        for part in body_parts:
            sock.sendall(part)
        return _response_of(sock)


def _response_of(sock: socket.socket) -> bytes:
    """The whole answer: its head, then as many body bytes as its Content-Length says (a
    single ``recv`` may return the head alone when the server writes the two apart)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        if not chunk:
            return answer
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    wanted = int(length.group(1)) if length else 0
    while len(body) < wanted:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _head(headers: dict[str, str], framing: str) -> str:
    lines = [
        "POST /api/v1/me/photos HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: {headers['authorization']}",
        "Content-Type: multipart/form-data; boundary=b0undary",
        framing,
    ]
    return "\r\n".join(lines) + "\r\n\r\n"


def test_an_announced_oversize_body_is_refused_before_it_is_sent(api: Api) -> None:
    headers = signed_in(api).headers
    # Content-Length says 11 MiB, but only the part headers follow: the answer must come
    # without the server waiting for the rest.
    answer = _raw_request(
        api, _head(headers, f"Content-Length: {11 * MiB}"), iter([b"--b0undary\r\n"])
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"payload_too_large" in answer


def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(api: Api) -> None:
    headers = signed_in(api).headers
    envelope = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff"
    )
    limit = UPLOAD_BODY_LIMIT

    def chunks() -> Iterator[bytes]:
        # Chunked transfer: no size up front. Send exactly one byte more than the limit
        # and never the final chunk: only a server that counts while streaming answers.
        remaining = limit + 1 - len(envelope)
        yield f"{len(envelope):x}\r\n".encode() + envelope + b"\r\n"
        block = os.urandom(256 * 1024)
        while remaining > 0:
            part = block[: min(remaining, len(block))]
            remaining -= len(part)
            yield f"{len(part):x}\r\n".encode() + part + b"\r\n"

    answer = _raw_request(api, _head(headers, "Transfer-Encoding: chunked"), chunks())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"payload_too_large" in answer
    assert api.http.get("/api/v1/me/photos", headers=headers).json()["items"] == []


def test_a_file_just_over_10_mb_inside_the_envelope_is_413(api: Api) -> None:
    headers = signed_in(api).headers
    just_over = b"\xff\xd8\xff" + b"\x00" * (10 * MiB - 2)
    problem(upload(api, headers, just_over), 413, "payload_too_large")


def test_six_photos_at_most(api: Api) -> None:
    headers = signed_in(api).headers
    for position in range(6):
        response = upload(api, headers, generated_photo(100 + position, size=(300, 300)))
        assert response.status_code == 201, response.text
        assert response.json()["position"] == position
    problem(upload(api, headers, generated_photo(99)), 409, "photo_limit_reached")
    assert len(api.http.get("/api/v1/me/photos", headers=headers).json()["items"]) == 6


def test_delete_reorder_and_cross_member_ids(api: Api) -> None:
    me = signed_in(api).headers
    other = signed_in(api).headers
    mine = [upload(api, me, generated_photo(200 + n)).json() for n in range(3)]
    theirs = upload(api, other, generated_photo(300)).json()

    # Someone else's photo, or no photo at all: 404, and nothing changes.
    for photo_id in (theirs["photo_id"], str(uuid.uuid4())):
        problem(
            api.http.delete(f"/api/v1/me/photos/{photo_id}", headers=me), 404, "photo_not_found"
        )
    assert fetch(api, theirs["url"]).status_code == 200

    wanted = [mine[2]["photo_id"], mine[0]["photo_id"], mine[1]["photo_id"]]
    reordered = api.http.put("/api/v1/me/photos/order", json={"photo_ids": wanted}, headers=me)
    assert reordered.status_code == 200, reordered.text
    assert [(p["photo_id"], p["position"]) for p in reordered.json()["items"]] == [
        (photo_id, n) for n, photo_id in enumerate(wanted)
    ]
    for bad in (
        [*wanted[:2], theirs["photo_id"]],
        [*wanted, theirs["photo_id"]],
        wanted[:2],
        [wanted[0], *wanted[:2]],
    ):
        response = api.http.put("/api/v1/me/photos/order", json={"photo_ids": bad}, headers=me)
        errors = problem(response, 422, "validation_failed")["errors"]
        assert [e["field"] for e in errors] == ["photo_ids"]
    malformed = api.http.put("/api/v1/me/photos/order", json={"photo_ids": ["x"]}, headers=me)
    problem(malformed, 422, "validation_failed")

    gone = api.http.delete(f"/api/v1/me/photos/{mine[2]['photo_id']}", headers=me)
    assert gone.status_code == 204
    left = api.http.get("/api/v1/me/photos", headers=me).json()["items"]
    assert [(p["photo_id"], p["position"]) for p in left] == [
        (mine[0]["photo_id"], 0),
        (mine[1]["photo_id"], 1),
    ]
    # The bytes go by job after the commit: the old link stops working soon after.
    deadline = time.monotonic() + 10
    while fetch(api, mine[2]["url"]).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fetch(api, mine[2]["url"]).status_code in {403, 404}
    assert [
        p["photo_id"] for p in api.http.get("/api/v1/me/photos", headers=other).json()["items"]
    ] == [theirs["photo_id"]]


def test_photos_show_on_the_public_profile(api: Api) -> None:
    viewer = signed_in(api).headers
    target = signed_in(api)
    body = {
        "gender": "man",
        "genders_sought": ["woman"],
        "age_min": 25,
        "age_max": 40,
        "interests": ["chess", "tea", "running"],
        "location": {"lat": 48.137, "lon": 11.575},
        "max_distance_km": 100,
    }
    assert api.http.put("/api/v1/me/profile", json=body, headers=target.headers).status_code == 200
    first = upload(api, target.headers, generated_photo(400)).json()
    upload(api, target.headers, generated_photo(401, size=(400, 500)))

    view = api.http.get(f"/api/v1/profiles/{target.user_id}", headers=viewer).json()
    assert [(p["position"], p["width"], p["height"]) for p in view["photos"]] == [
        (0, 600, 800),
        (1, 400, 500),
    ]
    assert "photo_id" not in view["photos"][0]
    assert fetch(api, view["photos"][0]["url"]).content == fetch(api, first["url"]).content
    completeness = api.http.get("/api/v1/me/profile", headers=target.headers).json()["completeness"]
    assert completeness == {"score": 0.5, "missing": ["bio", "assessment"]}


def test_signed_urls_cannot_be_forged(api: Api) -> None:
    headers = signed_in(api).headers
    url = upload(api, headers, generated_photo(500)).json()["url"]
    if in_s3(url):
        # S3 serves its presigned URLs itself; the API's file route has nothing to serve.
        problem(
            api.http.get("/api/v1/photo-files/a/b.jpg?expires=1&signature=x"),
            404,
            "photo_not_found",
        )
        return
    base, _, query = url.partition("?")
    signature = query.rsplit("signature=", 1)[1]
    forged = (
        f"{base}?{query.replace(signature, ('0' if signature[0] != '0' else '1') + signature[1:])}"
    )
    problem(api.http.get(forged), 404, "photo_not_found")
    expires = int(query.split("expires=")[1].split("&")[0])
    stretched = url.replace(f"expires={expires}", f"expires={expires + 86400}")
    problem(api.http.get(stretched), 404, "photo_not_found")
    # Encoded so that the client does not resolve the dots itself: the route must refuse.
    traversal = api.http.get(f"/api/v1/photo-files/%2E%2E/%2E%2E/jwt-secret?{query}")
    problem(traversal, 404, "photo_not_found")
    expired = f"{base}?expires=1000&signature={signature}"
    problem(api.http.get(expired), 404, "photo_not_found")


def test_photo_routes_need_a_signed_in_member(api: Api) -> None:
    for response in (
        api.http.get("/api/v1/me/photos"),
        api.http.post(
            "/api/v1/me/photos", files={"file": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")}
        ),
        api.http.delete(f"/api/v1/me/photos/{uuid.uuid4()}"),
        api.http.put("/api/v1/me/photos/order", json={"photo_ids": []}),
    ):
        assert response.status_code == 401, response.text


def test_a_stranger_is_turned_away_before_the_body_is_read(api: Api) -> None:
    # 5 MiB announced, only the first bytes sent: a 401 can only come back if the server
    # authenticates before it reads the upload.
    head = _head({"authorization": "Bearer not-a-token"}, f"Content-Length: {5 * MiB}")
    answer = _raw_request(api, head, iter([b"--b0undary\r\n"]))
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_an_upload_without_the_file_field_is_422(api: Api) -> None:
    headers = signed_in(api).headers
    response = api.http.post(
        "/api/v1/me/photos",
        files={"picture": ("a.jpg", generated_photo(1), "image/jpeg")},
        headers=headers,
    )
    assert file_error(response) == "required"
    not_multipart = api.http.post("/api/v1/me/photos", json={"file": "x"}, headers=headers)
    assert file_error(not_multipart) == "required"


def test_an_expired_local_link_says_so(live_server_factory: Callable[..., LiveServer]) -> None:
    with (
        live_server_factory(photo_url_ttl_seconds=1) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        api = Api(http, server.settings.mail_folder)
        headers = signed_in(api).headers
        url = upload(api, headers, generated_photo(600)).json()["url"]
        time.sleep(1.1)
        problem(api.http.get(url), 403, "photo_link_expired")
        fresh = api.http.get("/api/v1/me/photos", headers=headers).json()["items"][0]["url"]
        assert api.http.get(fresh).status_code == 200
