"""The API keeps the promises of its own OpenAPI document (schemathesis, every check).

Schemathesis generates requests from /schema/openapi.json (valid ones and deliberately
invalid ones) and sends them to the real app on a live server, as a verified member who is
logged in. Every built-in check runs on every answer: documented status codes, content
types and headers, response bodies that match their schemas, no 5xx, schema-valid
requests accepted and schema-invalid ones rejected, and so on.

Examples are bounded and derandomized so the run is repeatable and takes about a minute.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.serialization import encode_json
from schemathesis import Case
from schemathesis.config import SchemathesisConfig

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.entrypoints.http import create_app
from saltbitter.entrypoints.settings import Settings
from support.live_api import PASSWORD, Api, LiveServer

MAX_EXAMPLES = 15
SECRET = "test-secret-" + "x" * 40


def _settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        environment="test",
        jwt_secret=SECRET,
        tasks="in_process",
        in_process_schedule=False,
        auth_rate_limit_per_minute=100_000,
        user_rate_limit_per_minute=100_000,
        log_json=True,
    )


def _document() -> dict[str, Any]:
    """The app's OpenAPI document, built in-process (schemathesis needs it at collection)."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(_settings(Path(data_dir)), configure_logs=False)
        return dict(json.loads(encode_json(app.openapi_schema.to_schema())))


@dataclass
class Member:
    """The logged-in member the run acts as (set by the fixture, read by the auth hook)."""

    api: Api | None = None
    email: str = ""


# Rules that JSON Schema cannot state, so a request valid by the document may still get a
# 422 (``positive_data_acceptance`` otherwise expects 2xx/401/403/404/409/429).
RULES_BEYOND_THE_SCHEMA = {
    # Age is relative to today; common passwords are a list; email domains may be
    # special-use or outside the allow-list.
    "register": "birthdate 18+, password not common, deliverable email domain",
    "confirmPasswordReset": "the emailed code (a secret) and a password not common",
    "verify": "the emailed code is a secret only the server knows",
    "putMyProfile": "age_min <= age_max; interests distinct after case-folding",
    "uploadPhoto": "the bytes must be a real JPEG/PNG/WebP image of at least 200x200",
    "reorderPhotos": "the list must name exactly the caller's own photos",
    "submitAssessment": "every item of the instrument answered on its own scale",
    "answerValuesQuestionnaire": "every portrait answered on its own 1-6 scale",
    "like": "a member cannot like themselves",
    "passMember": "a member cannot pass on themselves",
    "listMatches": "a cursor is valid only if the server issued it",
    "listLikesReceived": "a cursor is valid only if the server issued it",
    "discover": "a cursor is valid only if the server issued it",
    "listNotifications": "a cursor is valid only if the server issued it",
    "listConversations": "a cursor is valid only if the server issued it",
    "listMessages": "a cursor is valid only if the server issued it",
    "sendMessage": "a body must hold 1..2000 characters once trimmed",
    "sendPhoto": "a real JPEG/PNG/WebP image; a caption of at most 2000 characters trimmed",
    "listBlocks": "a cursor is valid only if the server issued it",
    "moderationQueue": "a cursor is valid only if the server issued it",
    "auditLog": "a cursor is valid only if the server issued it",
    "block": "a member cannot block themselves",
    "report": "a member cannot report themselves; details are measured trimmed",
    "scheduleCheckIn": "check_in_by after starts_at (within a day); a valid contact email",
    "raiseAlert": "both coordinates or neither",
    "resolveReport": "days exactly for a suspension; the note is not blank",
    "fileAppeal": "the text is measured trimmed",
    "resolveAppeal": "the note is not blank",
    "startPurchase": "event_id only on an event_ticket",
    "listPurchases": "a cursor is valid only if the server issued it",
    "listEvents": "a cursor is valid only if the server issued it",
    "createEvent": "starts_at in the future; a custom event names seats and length",
    "changeEvent": "starts_at in the future; no fewer seats than are taken",
    "markAttendance": "each member must hold a seat at an event that has started",
    "rateEvent": "a rating of 1..5, by an attendee, once",
}
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-operation-id": operation,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
                    }
                },
            }
            for operation in RULES_BEYOND_THE_SCHEMA
        ],
    }
)

MEMBER = Member()
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@schema.auth()
class MemberLogin:
    """Logs the member in. The run itself calls logout-all, logout and password resets,
    which end their sessions: on a 401 schemathesis calls ``get`` again and replays."""

    def get(self, case: Case, context: Any) -> str:
        if MEMBER.api is None:
            # Explicit examples are built at collection, before the server runs; their
            # placeholder token is refused once, then replaced by a real login.
            return "not-logged-in-yet"
        return str(MEMBER.api.login(MEMBER.email, PASSWORD)["access_token"])

    def set(self, case: Case, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module")
def contract_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings_ = _settings(tmp_path_factory.mktemp("contract"))
    upgrade(settings_.effective_database_url)
    with (
        LiveServer(settings_) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        MEMBER.api = Api(http, settings_.mail_folder)
        MEMBER.email = MEMBER.api.verified_member()
        yield server.url
        MEMBER.api = None


def test_the_served_document_is_the_one_under_test(contract_api: str) -> None:
    served = httpx.get(f"{contract_api}/schema/openapi.json").json()
    assert served == _document()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_the_documented_contract(case: Case, contract_api: str) -> None:
    case.call_and_validate(base_url=contract_api)
