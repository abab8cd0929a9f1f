"""Errors become RFC 9457 problem+json, mapped once for the whole API (ADR 0005).

Every answer carries ``status``, ``title``, ``detail`` and a stable machine ``code``;
validation problems add ``errors`` with one entry per field. Unexpected failures are a
generic 500 with the request id: never a stack trace, never a secret. Whatever a problem
echoes (details, field names, messages) is clipped here, so input of any length comes
back short.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from saltbitter.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainRuleViolated,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    SaltbitterError,
    Unavailable,
    ValidationFailed,
)

__all__ = [
    "PROBLEM_HANDLERS",
    "FieldProblem",
    "Problem",
    "RequestRejected",
    "documented_errors",
    "problem_response",
]

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
# Echo limits: long enough for every message and field path we write ("answers.12"),
# short enough that a client cannot make an error answer carry its input back.
MAX_DETAIL = 300
MAX_FIELD = 64
MAX_MESSAGE = 200
MAX_FIELD_ERRORS = 100


class FieldProblem(msgspec.Struct):
    field: str
    message: str
    code: str


class RequestRejected(HTTPException):
    """A request refused at the HTTP edge before any handler ran, with its own code."""

    def __init__(self, status_code: int, code: str, detail: str) -> None:
        super().__init__(detail=detail, status_code=status_code)
        self.code = code


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details with SaltBitter's stable ``code``."""

    status: int
    title: str
    code: str
    detail: str = ""
    type: str = "about:blank"
    errors: list[FieldProblem] = msgspec.field(default_factory=list)
    request_id: str | None = None


_STATUS_BY_ERROR: tuple[tuple[type[SaltbitterError], int], ...] = (
    (ValidationFailed, 422),
    (DomainRuleViolated, 422),
    (NotFound, 404),
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (Conflict, 409),
    (QuotaExceeded, 429),
    (Unavailable, 503),
)
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
_GENERIC_CODES = {
    400: "bad_request",
    401: "authentication_failed",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def title_for(status: int) -> str:
    return _TITLES.get(status, "Error")


def status_for(error: SaltbitterError) -> int:
    for kind, status in _STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def problem_response(
    request: Request[Any, Any, Any] | None,
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    request_id = None if request is None else request.scope.get("state", {}).get("request_id")
    body = Problem(
        status=status,
        title=_TITLES.get(status, "Error"),
        code=code,
        detail=_clip(detail, MAX_DETAIL),
        errors=[
            FieldProblem(
                _clip(error.field, MAX_FIELD), _clip(error.message, MAX_MESSAGE), error.code
            )
            for error in (errors or [])[:MAX_FIELD_ERRORS]
        ],
        request_id=request_id,
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _domain_error(request: Request[Any, Any, Any], error: SaltbitterError) -> Response[Problem]:
    status = status_for(error)
    headers: dict[str, str] = {}
    if isinstance(error, AuthenticationFailed):
        headers["WWW-Authenticate"] = 'Bearer realm="saltbitter"'
    if isinstance(error, QuotaExceeded):
        headers["Retry-After"] = str(error.retry_after_seconds or 60)
    errors = (
        [FieldProblem(e.field, e.message, e.code) for e in error.errors]
        if isinstance(error, ValidationFailed)
        else None
    )
    return problem_response(
        request, status, error.code, error.message, errors=errors, headers=headers or None
    )


_MSGSPEC_PATH = re.compile(r"- at `\$\.?(?P<path>[^`]*)`")
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<name>[^`]+)`")


def _field_problem(entry: dict[str, Any]) -> FieldProblem:
    """Turn Litestar/msgspec messages into ``field`` paths such as ``answers.12``."""
    message = str(entry.get("message", "Invalid value."))
    field = str(entry.get("key") or "body")
    path_match = _MSGSPEC_PATH.search(message)
    missing = _MISSING_FIELD.search(message)
    if path_match:
        field = path_match.group("path").replace("[", ".").replace("]", "") or "body"
        message = message[: path_match.start()].strip()
    if missing:
        field = (
            f"{field}.{missing.group('name')}"
            if field not in {"body", "data"}
            else missing.group("name")
        )
        return FieldProblem(field, "This field is required.", "required")
    if field == "data":
        field = "body"
    return FieldProblem(field, message, "invalid")


def _validation_error(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[Problem]:
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [_field_problem(entry) for entry in extra if isinstance(entry, dict)]
    if not errors:
        errors = [FieldProblem("body", str(error.detail), "invalid")]
    return problem_response(
        request, 422, "validation_failed", "The request has invalid fields.", errors=errors
    )


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    status = error.status_code
    headers = dict(error.headers or {})
    detail = error.detail if status < 500 else _TITLES.get(status, "Error")
    code = error.code if isinstance(error, RequestRejected) else _GENERIC_CODES.get(status, "error")
    return problem_response(request, status, code, detail, headers=headers or None)


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    log.exception("request.unhandled_error", error_type=type(error).__name__)
    return problem_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        "Something went wrong on our side. Quote the request id when you contact support.",
    )


PROBLEM_HANDLERS: Any = {
    SaltbitterError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}


def documented_errors(
    *statuses: int, container: type[Problem] = Problem
) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses a route can give (the statuses every
    route shares are added by ``openapi.finish_openapi``)."""
    return {
        status: ResponseSpec(
            data_container=container,
            description=_TITLES.get(status, "Error"),
            media_type=PROBLEM_JSON,
            generate_examples=False,  # random filler text would only mislead readers
        )
        for status in statuses
    }
