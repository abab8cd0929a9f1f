"""A cross-member access matrix derived from the API's own OpenAPI document.

Every operation the document lists is called

- without a token: 401 unless the operation is one of the few public ones (and the
  document's own list of public operations must be exactly that list);
- by another member, with the first member's ids in its path (and, where a body names
  an object, in its body): never a 2xx, only 403 or 404.

The ids come from a member who used the features (a session, a photo, a match with a
message, a date check-in, an AI conversation, a report). An operation with a path
parameter this test does not know fails the test: a new endpoint must say whose object
its id names before it ships.
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.serialization import encode_json

from saltbitter.adapters.images.generated import generated_photo
from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.entrypoints.http import create_app
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, member
from support.live_api import Api, LiveServer

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

# Operations anyone may call without a token, with why.
PUBLIC = {
    "register": "creating an account",
    "verify": "the emailed code proves the address",
    "resendVerificationCode": "answers alike whether or not the address exists",
    "login": "signing in",
    "refresh": "the refresh token is the credential",
    "logout": "the refresh token is the credential",
    "requestPasswordReset": "answers alike whether or not the address exists",
    "confirmPasswordReset": "the emailed code is the credential",
    "getPhotoFile": "a signed, expiring link: the signature is the credential",
    "archiveFile": "a signed, expiring link to a data export: the signature is the credential",
    "listPlans": "prices are public",
    "liveness": "the load balancer's probe",
    "readiness": "the load balancer's probe",
}

# Path parameters that do not name another member's object, with why a 2xx is right.
NOT_OWNED = {
    ("getPublicProfile", "user_id"): "members see each other's public profiles (blocks hide them)",
    ("unblock", "user_id"): "acts on the caller's own block list only",
    ("setConsent", "purpose"): "a consent purpose, the caller's own",
    ("getInstrument", "key"): "instruments are public questionnaires",
    ("practice", "persona_id"): "the AI personas are shared, not owned",
    ("getPhotoFile", "key"): "public by signature (above)",
    ("archiveFile", "key"): "public by signature (above)",
    ("showEvent", "event_id"): "community events are open to every member",
    ("registerForEvent", "event_id"): "registers the caller, for an event open to all",
    ("cancelRegistration", "event_id"): "cancels the caller's own registration only",
    ("rateEvent", "event_id"): "rates as the caller, an attendee or refused",
}


@dataclass
class Owner:
    """The first member and the ids of what they own."""

    member: Member
    ids: dict[str, str]


def _document(settings: Settings) -> dict[str, Any]:
    app = create_app(settings, configure_logs=False)
    return dict(json.loads(encode_json(app.openapi_schema.to_schema())))


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("matrix")
    settings = Settings(
        data_dir=data_dir,
        environment="test",
        jwt_secret="matrix-secret-" + "x" * 40,
        tasks="in_process",
        in_process_schedule=False,
        auth_rate_limit_per_minute=100_000,
        user_rate_limit_per_minute=100_000,
    )
    upgrade(settings.effective_database_url)
    return settings


@pytest.fixture(scope="module")
def api(settings: Settings) -> Iterator[Api]:
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        yield Api(http, settings.mail_folder)


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 300, response.text
    return dict(response.json()) if response.content else {}


@pytest.fixture(scope="module")
def owner(api: Api) -> Owner:
    ada = member(api, "woman", "man")
    bo = member(api, "man", "woman")
    http = api.http
    _ok(http.post("/api/v1/likes", json={"user_id": bo.user_id}, headers=ada.headers))
    match_id = _ok(http.post("/api/v1/likes", json={"user_id": ada.user_id}, headers=bo.headers))[
        "match_id"
    ]
    message = _ok(
        http.post(
            f"/api/v1/matches/{match_id}/messages",
            json={"body": "Hello there", "client_message_id": uuid.uuid4().hex},
            headers=ada.headers,
        )
    )
    photo = _ok(
        http.post(
            "/api/v1/me/photos",
            files={"file": ("me.jpg", generated_photo(7, size=(400, 400)), "image/jpeg")},
            headers=ada.headers,
        )
    )
    sessions = _ok(http.get("/api/v1/auth/sessions", headers=ada.headers))["items"]
    now = datetime.now(UTC)
    check_in = _ok(
        http.post(
            "/api/v1/safety/checkins",
            json={
                "match_id": match_id,
                "starts_at": (now + timedelta(hours=1)).isoformat(),
                "check_in_by": (now + timedelta(hours=3)).isoformat(),
                "contact": {"name": "Sam", "email": "sam@example.org"},
            },
            headers=ada.headers,
        )
    )
    export = _ok(http.post("/api/v1/me/data-export", headers=ada.headers))
    _ok(http.put("/api/v1/me/consents/ai_features", json={"granted": True}, headers=ada.headers))
    _ok(http.post("/api/v1/ai/practice/shy/messages", json={"body": "Hi"}, headers=ada.headers))
    conversations = _ok(http.get("/api/v1/ai/history", headers=ada.headers))["items"]
    stranger = member(api, "man", "woman")
    report = _ok(
        http.post(
            "/api/v1/reports",
            json={
                "user_id": stranger.user_id,
                "reason": "spam",
                "details": "Sends the same link to everyone.",
                "block": False,
            },
            headers=ada.headers,
        )
    )
    return Owner(
        ada,
        {
            "session_id": sessions[0]["session_id"],
            "photo_id": photo["photo_id"],
            "match_id": match_id,
            "message_id": message["id"],
            "check_in_id": check_in["id"],
            "conversation_id": conversations[0]["id"],
            "report_id": report["id"],
            "appeal_id": str(uuid.uuid4()),  # only the reported member may appeal
            "request_id": export["request_id"],
            # Events are shared; only admins change them (the intruder is none).
            "event_id": str(uuid.uuid4()),
            "user_id": ada.user_id,
            "purpose": "ai_features",
            "key": "ecr-r",
            "persona_id": "shy",
        },
    )


def _body(operation_id: str, owner: Owner) -> dict[str, Any] | None:
    """A body valid in shape, naming the owner's objects where the operation takes one."""
    ids = owner.ids
    bodies: dict[str, dict[str, Any]] = {
        "sendMessage": {"body": "hi", "client_message_id": uuid.uuid4().hex},
        "markMessagesRead": {"up_to_message_id": ids["message_id"]},
        "resolveReport": {"action": "dismiss", "note": "x"},
        "resolveHeldMessage": {"action": "dismiss", "note": "x"},
        "resolveAppeal": {"upheld": True, "note": "x"},
        "changeEvent": {"title": "Taken over"},
        "markAttendance": {"member_ids": [ids["user_id"]]},
        "icebreakers": {"match_id": ids["match_id"]},
        "draftFeedback": {"match_id": ids["match_id"], "draft": "Hey, how was your week?"},
        "scheduleCheckIn": {
            "match_id": ids["match_id"],
            "starts_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "check_in_by": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
            "contact": {"name": "Kim", "email": "kim@example.org"},
        },
    }
    return bodies.get(operation_id)


# Operations without a path id whose body names another member's object.
BODY_IDS = {"icebreakers", "draftFeedback", "scheduleCheckIn"}


def _path(path: str, operation: dict[str, Any], ids: dict[str, str]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            path = path.replace("{" + parameter["name"] + "}", ids[parameter["name"]])
    return path


def test_the_public_operations_are_exactly_the_listed_ones(settings: Settings) -> None:
    unsecured = {
        operation["operationId"]
        for _, _, operation in _operations(_document(settings))
        if not operation.get("security")
    }
    assert unsecured == set(PUBLIC)


def test_without_a_token_every_other_operation_answers_401(
    api: Api, settings: Settings, owner: Owner
) -> None:
    called = 0
    for method, path, operation in _operations(_document(settings)):
        if operation["operationId"] in PUBLIC:
            continue
        body = _body(operation["operationId"], owner)
        response = api.http.request(method, _path(path, operation, owner.ids), json=body)
        assert response.status_code == 401, (method, path, response.text)
        called += 1
    assert called >= 50
    log.info("access matrix: %d operations refused without a token", called)


def test_another_member_cannot_reach_the_first_members_objects(
    api: Api, settings: Settings, owner: Owner
) -> None:
    intruder = member(api, "woman", "man")
    checked = []
    for method, path, operation in _operations(_document(settings)):
        operation_id = operation["operationId"]
        parameters = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        owned = [name for name in parameters if (operation_id, name) not in NOT_OWNED]
        if not owned and operation_id not in BODY_IDS:
            continue
        unknown = [name for name in owned if name not in owner.ids]
        assert not unknown, f"{operation_id}: whose object is {unknown}? add it to the matrix"
        if operation_id == "sendPhoto":  # multipart, as a real client sends it
            response = api.http.post(
                _path(path, operation, owner.ids),
                files={"file": ("p.jpg", generated_photo(3, size=(300, 300)), "image/jpeg")},
                data={"client_message_id": uuid.uuid4().hex},
                headers=intruder.headers,
            )
        else:
            response = api.http.request(
                method,
                _path(path, operation, owner.ids),
                json=_body(operation_id, owner),
                headers=intruder.headers,
            )
        assert response.status_code in {403, 404}, (method, path, response.text)
        checked.append(operation_id)
    assert len(checked) >= 12, checked
    log.info("access matrix: %d operations refused to another member: %s", len(checked), checked)

    # Nothing of the owner's changed.
    ada, http = owner.member, api.http
    assert [m["match_id"] for m in _ok(http.get("/api/v1/matches", headers=ada.headers))["items"]]
    photos = _ok(http.get("/api/v1/me/photos", headers=ada.headers))["items"]
    assert [p["photo_id"] for p in photos] == [owner.ids["photo_id"]]
    sessions = _ok(http.get("/api/v1/auth/sessions", headers=ada.headers))["items"]
    assert owner.ids["session_id"] in [s["session_id"] for s in sessions]
    check_ins = _ok(http.get("/api/v1/safety/checkins", headers=ada.headers))["items"]
    assert [c["ok_at"] for c in check_ins] == [None]
    history = _ok(http.get("/api/v1/ai/history", headers=ada.headers))["items"]
    assert [c["id"] for c in history] == [owner.ids["conversation_id"]]


def test_the_document_used_is_the_served_one(api: Api, settings: Settings) -> None:
    served = api.http.get("/schema/openapi.json").json()
    with tempfile.TemporaryDirectory() as folder:
        built = _document(Settings(data_dir=Path(folder), jwt_secret=settings.jwt_secret))
    assert {op["operationId"] for _, _, op in _operations(served)} == {
        op["operationId"] for _, _, op in _operations(built)
    }
