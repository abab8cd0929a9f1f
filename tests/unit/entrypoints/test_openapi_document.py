"""The OpenAPI document tells the truth, and the docs UI works offline (issue 8).

The app is built in-process (no server, no database is queried); /schema is read through
Litestar's test client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from saltbitter.entrypoints.http import create_app
from saltbitter.entrypoints.http.docs_ui import SWAGGER_UI_VERSION
from saltbitter.entrypoints.settings import Settings

PROBLEM_JSON = "application/problem+json"
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("openapi"),
        environment="test",
        jwt_secret="test-secret-" + "x" * 40,
        tasks="in_process",
        in_process_schedule=False,
    )
    with TestClient(create_app(settings, configure_logs=False)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def document(client: TestClient[Any]) -> dict[str, Any]:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def test_schema_names_are_plain_names_not_module_paths(document: dict[str, Any]) -> None:
    names = list(document["components"]["schemas"])
    assert {"SessionList", "ConsentList", "PhotoList", "Problem"} <= set(names)
    assert [name for name in names if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)] == []


def test_every_operation_has_a_unique_camel_case_operation_id(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId") for _, _, operation in _operations(document)]
    assert None not in ids
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"[a-z][A-Za-z]*", str(i))] == []
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["operationId"] == "login"


def test_every_error_response_is_a_problem(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    wrong = []
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status[0] not in "45":
                continue
            content = response.get("content", {})
            ref = content.get(PROBLEM_JSON, {}).get("schema", {}).get("$ref", "")
            component = schemas.get(ref.rpartition("/")[2], {})
            if set(content) != {PROBLEM_JSON} or not {"status", "title", "code"} <= set(
                component.get("required", [])
            ):
                wrong.append(f"{method} {path} {status}: {sorted(content)}")
    assert wrong == []


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        # A JSON body: malformed (400), too large (413), not JSON (415), invalid (422).
        ("post", "/api/v1/auth/login", {"400", "413", "415", "422", "429", "503"}),
        # Bearer token (401/403), path parameter (404), rate limited (429, 503 without Redis).
        ("delete", "/api/v1/me/photos/{photo_id}", {"401", "403", "404", "429", "503"}),
        ("post", "/api/v1/me/photos", {"400", "401", "403", "409", "413", "422", "503"}),
        # The signed-URL route is not rate limited; a bad `expires` is a 422.
        ("get", "/api/v1/photo-files/{key}", {"403", "404", "422"}),
        ("get", "/health/ready", {"503"}),
    ],
)
def test_every_status_the_server_sends_is_documented(
    document: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    assert statuses <= set(document["paths"][path][method]["responses"])


def test_the_photo_route_documents_image_bytes(document: dict[str, Any]) -> None:
    ok = document["paths"]["/api/v1/photo-files/{key}"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {"image/jpeg", "image/png", "image/webp"}


def test_unions_are_any_of_so_an_integer_matches_one_arm(document: dict[str, Any]) -> None:
    assert [node for node in _nodes(document) if "oneOf" in node] == []
    data = document["components"]["schemas"]["NotificationView"]["properties"]["data"]
    arms = data["additionalProperties"]["anyOf"]
    assert {"type": "integer"} in arms
    assert {"type": "number"} in arms


def test_request_bodies_state_the_rules_the_server_enforces(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    register = schemas["RegisterRequest"]
    assert register["additionalProperties"] is False
    assert register["properties"]["password"]["minLength"] == 10
    assert register["properties"]["accept_terms"]["const"] is True
    assert schemas["PasswordResetConfirmation"]["properties"]["new_password"]["minLength"] == 10
    profile = schemas["ProfileRequest"]["properties"]
    assert (profile["age_min"]["minimum"], profile["age_min"]["maximum"]) == (18, 99)
    assert (profile["interests"]["minItems"], profile["interests"]["maxItems"]) == (3, 15)
    assert profile["bio"]["maxLength"] == 500
    cursor = document["paths"]["/api/v1/notifications"]["get"]["parameters"][0]["schema"]
    assert cursor["pattern"] == "^[A-Za-z0-9_-]+$"


def test_unknown_fields_are_refused_as_the_schema_says(client: TestClient[Any]) -> None:
    response = client.post(
        "/api/v1/auth/password-reset", json={"email": "ada@example.org", "extra": 1}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM_JSON)


def test_the_documented_examples_are_stable(client: TestClient[Any]) -> None:
    # Generated examples were random filler that changed with every start.
    first = client.get("/schema/openapi.json").json()
    assert msgspec.json.encode(first) == msgspec.json.encode(
        client.get("/schema/openapi.json").json()
    )
    assert "examples" not in first["components"]["schemas"]["Problem"]


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger"])
def test_the_docs_page_loads_every_asset_from_this_server(
    client: TestClient[Any], page: str
) -> None:
    html = client.get(page).text
    sources = re.findall(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)""", html)
    assert len(sources) >= 3
    assert [source for source in sources if not source.startswith("/schema/assets/")] == []
    kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert asset.headers["content-type"].startswith(kinds[Path(source).suffix]), source
        assert len(asset.content) > 0


def test_the_vendored_bundle_ships_with_its_license() -> None:
    assets = Path(__file__).parents[3] / "src/saltbitter/entrypoints/http/static/swagger-ui"
    assert "Apache License" in (assets / "LICENSE").read_text()
    assert SWAGGER_UI_VERSION in (assets / "README.md").read_text()
