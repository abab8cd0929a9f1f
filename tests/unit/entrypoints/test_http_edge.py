"""The HTTP edge without a server: problem clipping, media types, security declarations,
and an app that builds without warnings."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from litestar import Controller
from litestar.handlers import HTTPRouteHandler

from saltbitter.application.shared.identity import Principal
from saltbitter.entrypoints.http import app as _app  # noqa: F401 - imports every controller
from saltbitter.entrypoints.http.edge import BEARER_SCHEME, is_json_media_type
from saltbitter.entrypoints.http.problems import (
    MAX_DETAIL,
    MAX_FIELD,
    MAX_FIELD_ERRORS,
    MAX_MESSAGE,
    FieldProblem,
    Problem,
    problem_response,
)


def _problem(detail: str, errors: list[FieldProblem]) -> Problem:
    content = problem_response(None, 422, "validation_failed", detail, errors=errors).content
    assert isinstance(content, Problem)
    return content


def test_a_5000_character_field_and_message_come_back_clipped() -> None:
    long = "k" * 5000
    problem = _problem(long, [FieldProblem(f"answers.{long}", long, "unknown_item")])
    (error,) = problem.errors
    assert len(problem.detail) == MAX_DETAIL
    assert len(error.field) == MAX_FIELD
    assert error.field.startswith("answers.kkk")
    assert error.field.endswith("\u2026")
    assert len(error.message) == MAX_MESSAGE
    assert error.code == "unknown_item"


def test_at_most_a_hundred_field_errors_come_back() -> None:
    errors = [FieldProblem(f"answers.{n}", "Missing.", "required") for n in range(500)]
    assert len(_problem("Some answers are missing.", errors).errors) == MAX_FIELD_ERRORS


@given(st.text(max_size=1000), st.text(max_size=1000))
def test_clipping_keeps_short_text_whole_and_long_text_as_a_marked_prefix(
    field: str, message: str
) -> None:
    (error,) = _problem(message, [FieldProblem(field, message, "invalid")]).errors
    for original, shown, limit in (
        (field, error.field, MAX_FIELD),
        (message, error.message, MAX_MESSAGE),
    ):
        if len(original) <= limit:
            assert shown == original
        else:
            assert len(shown) == limit
            assert shown == original[: limit - 1] + "\u2026"


@given(
    st.sampled_from(
        [
            "application/json",
            "APPLICATION/JSON",
            "application/problem+json",
            "application/vnd.api+json",
        ]
    )
)
def test_json_and_structured_json_types_are_json(media_type: str) -> None:
    assert is_json_media_type(media_type)


@given(
    st.sampled_from(
        [
            "",
            "text/plain",
            "text/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "application/jsonp",
            "application/json-seq",
            "application/+jsonx",
        ]
    )
)
def test_simple_request_types_are_not_json(media_type: str) -> None:
    assert not is_json_media_type(media_type)


def _controllers(base: type[Controller] = Controller) -> list[type[Controller]]:
    found = []
    for sub in base.__subclasses__():
        if sub.__module__.startswith("saltbitter.entrypoints.http"):
            found.append(sub)
        found.extend(_controllers(sub))
    return found


def _wants_principal(handler: HTTPRouteHandler) -> bool:
    # The caller type the edge checks resolve: Principal unless the route names another.
    caller = handler.opt.get("caller", Principal)
    hints = typing.get_type_hints(handler.fn, include_extras=True)
    return any(hint is caller or caller in typing.get_args(hint) for hint in hints.values())


def test_a_route_declares_the_bearer_token_exactly_when_it_needs_the_caller() -> None:
    # The edge checks authenticate what the OpenAPI security says, so the declaration
    # must match what the handler takes.
    checked = 0
    for controller in _controllers():
        for handler in vars(controller).values():
            if not isinstance(handler, HTTPRouteHandler):
                continue
            declared = any(BEARER_SCHEME in entry for entry in handler.security or [])
            assert declared == _wants_principal(handler), (controller.__name__, handler.fn)
            checked += 1
    assert checked >= 30


def test_the_app_builds_without_warnings(tmp_path: Path) -> None:
    # A fresh interpreter, so that warnings raised while modules are imported count too.
    script = (
        "from pathlib import Path\n"
        "from saltbitter.entrypoints.http import create_app\n"
        "from saltbitter.entrypoints.settings import Settings\n"
        f"create_app(Settings(data_dir=Path({str(tmp_path)!r}), environment='test',"
        " jwt_secret='x' * 64), configure_logs=False)\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_every_http_route_runs_the_edge_checks(tmp_path: Path) -> None:
    # Litestar keeps the innermost before-request hook: a controller or route with its
    # own would silently skip authentication at the edge, so none may have one.
    from litestar.routes import HTTPRoute

    from saltbitter.entrypoints.http import create_app
    from saltbitter.entrypoints.http.edge import EdgeChecks
    from saltbitter.entrypoints.settings import Settings

    app = create_app(
        Settings(data_dir=tmp_path, environment="test", jwt_secret="x" * 64), configure_logs=False
    )
    handlers = [
        handler
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
    ]
    assert len(handlers) >= 90
    for handler in handlers:
        assert isinstance(handler.resolve_before_request(), EdgeChecks), handler.handler_name
