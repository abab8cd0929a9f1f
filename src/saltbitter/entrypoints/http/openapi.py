"""The OpenAPI document, corrected once for the whole API (issue 8).

Litestar derives the document from the handlers; a few of its defaults do not match what
this server really does, so the finished document is adjusted here, in one place, rather
than in every route decorator:

- every 4xx/5xx answer is RFC 9457 ``application/problem+json`` (Litestar documents its
  own 400 shape as ``application/json``; our handlers answer problem+json);
- each operation lists every error status the server can really send, derived from the
  operation itself (a body, parameters, a bearer token, rate limiting);
- Python unions become ``anyOf``: a union accepts a value matching any arm, while
  ``oneOf`` (Litestar's choice) rejects an integer for ``int | float``;
- operation ids are short camelCase verbs, stable across refactors of paths;
- request structs that refuse unknown fields (``forbid_unknown_fields``) say so with
  ``additionalProperties: false`` (``ClosedStructSchemaPlugin``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
    Schema,
)
from litestar.plugins import OpenAPISchemaPlugin
from litestar.types import Method
from litestar.types.internal_types import PathParameterDefinition
from litestar.typing import FieldDefinition

from saltbitter.entrypoints.http.middleware import is_rate_limited
from saltbitter.entrypoints.http.problems import PROBLEM_JSON, title_for

__all__ = ["ClosedStructSchemaPlugin", "finish_openapi", "operation_id"]

PROBLEM_REF = "#/components/schemas/Problem"
JSON = "application/json"

# Handler names that do not read as an action on their own.
_OPERATION_IDS = {
    "me": "getMe",
    "sessions": "listSessions",
    "resend": "resendVerificationCode",
    "request_reset": "requestPasswordReset",
    "confirm_reset": "confirmPasswordReset",
    "get_profile": "getMyProfile",
    "put_profile": "putMyProfile",
    "public_profile": "getPublicProfile",
    "photo_file": "getPhotoFile",
    "instrument": "getInstrument",
    "submit": "submitAssessment",
    "mine": "getMyAssessments",
    "received": "listLikesReceived",
    "matches": "listMatches",
    "daily": "getDailySet",
    "mark_read": "markNotificationsRead",
    "live": "liveness",
    "ready": "readiness",
}


class ClosedStructSchemaPlugin(OpenAPISchemaPlugin):
    """Structs with ``forbid_unknown_fields`` answer 422 to unknown keys; their schema
    says ``additionalProperties: false`` so clients (and fuzzers) know it."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        if field_definition.is_union or not field_definition.is_subclass_of(msgspec.Struct):
            return False
        return bool(field_definition.type_.__struct_config__.forbid_unknown_fields)

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        # Litestar's own struct plugin builds the schema; this one only closes it.
        builtin = next(
            plugin
            for plugin in schema_creator.plugins
            if plugin is not self and schema_creator.plugin_supports_field(plugin, field_definition)
        )
        schema = builtin.to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def operation_id(
    route_handler: HTTPRouteHandler,
    http_method: Method,  # noqa: ARG001 - Litestar's OperationIDCreator signature
    path_components: list[str | PathParameterDefinition],  # noqa: ARG001
) -> str:
    """``operationId`` from the handler's name (``list_photos`` -> ``listPhotos``)."""
    name = route_handler.handler_name
    return _OPERATION_IDS.get(name) or _camel(name)


def _error_statuses(path: str, operation: Operation) -> set[int]:
    """The error statuses the server can send for ``operation``, from its inputs."""
    statuses: set[int] = set()
    parameters = [p for p in operation.parameters or [] if not isinstance(p, Reference)]
    body = operation.request_body
    if body is not None and not isinstance(body, Reference):
        # Malformed or too large bodies; a JSON body also insists on its content type.
        statuses |= {400, 413, 422}
        if JSON in body.content:
            statuses.add(415)
    if parameters:
        statuses.add(422)
    if any(p.param_in == "path" for p in parameters):
        statuses.add(404)
    if operation.security:
        # 403: suspended or deleted accounts, missing roles or consents.
        statuses |= {401, 403}
    if is_rate_limited(path):
        # 503 when the rate limiter's store is down.
        statuses |= {429, 503}
    return statuses


def _problem_response(status: int, existing: OpenAPIResponse | None) -> OpenAPIResponse:
    content = existing.content if existing is not None else None
    if content and set(content) == {PROBLEM_JSON}:
        return existing  # type: ignore[return-value]  # already a problem (maybe richer)
    return OpenAPIResponse(
        description=existing.description if existing is not None else title_for(status),
        headers=existing.headers if existing is not None else None,
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref=PROBLEM_REF))},
    )


def _operations(document: OpenAPI) -> Iterable[tuple[str, Operation]]:
    for path, item in (document.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch", "options", "head", "trace"):
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                yield path, operation


def _walk(node: Any) -> Iterable[Any]:
    """Every spec object below ``node`` (depth first)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)
        elif dataclasses.is_dataclass(current) and not isinstance(current, type):
            yield current
            stack.extend(getattr(current, f.name) for f in dataclasses.fields(current))


def finish_openapi(document: OpenAPI) -> OpenAPI:
    """Correct ``document`` in place (see the module docstring) and return it."""
    for path, operation in _operations(document):
        responses = operation.responses or {}
        for status in _error_statuses(path, operation):
            responses.setdefault(str(status), OpenAPIResponse(description=title_for(status)))
        for key, response in list(responses.items()):
            if key[:1] in {"4", "5"} and not isinstance(response, Reference):
                responses[key] = _problem_response(int(key), response)
        operation.responses = dict(sorted(responses.items()))
    for node in _walk(document):
        if isinstance(node, Schema) and node.one_of is not None:
            node.any_of, node.one_of = node.one_of, None
    return document
