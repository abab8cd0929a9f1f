"""Checks at the HTTP edge that run before a handler's body is read.

Litestar reads and decodes a handler's ``data`` before it resolves the handler's
arguments, and dishka resolves the caller (``Principal``) only with those arguments.
Left alone, a stranger's body would be read and decoded before the 401. So the app's
before-request hook, ``EdgeChecks`` (it runs before Litestar touches the body),
authenticates every route that declares the bearer security requirement, then refuses
JSON routes whose body is not declared as JSON. ``ApiRequest`` turns JSON that cannot be
decoded, including JSON nested deeper than the decoder's recursion limit, into a 400 at
the decode boundary.

These checks were a Litestar guard until ADR 0044: Litestar hands every guard a fresh
``copy()`` of the route handler, and that copy plus resolving the handler's security
and body on every request were a tenth of a cached read's CPU. The hook learns each
handler's needs once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from litestar import Litestar, MediaType, Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import BodyKwarg
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT

from saltbitter.application.shared.identity import Principal
from saltbitter.entrypoints.http.problems import RequestRejected

__all__ = [
    "BEARER_SCHEME",
    "ApiRequest",
    "EdgeChecks",
    "declares_bearer",
    "is_json_media_type",
    "takes_json_body",
]

BEARER_SCHEME = "BearerToken"


class ApiRequest(Request[Any, Any, Any]):
    """The request class of the API: JSON that cannot be decoded is a 400 problem."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            # msgspec gives up at the interpreter's recursion limit; answered here, where
            # the stack is shallow again, instead of as an unexpected 500.
            raise RequestRejected(
                400, "malformed_body", "The JSON body is nested too deeply."
            ) from None
        except SerializationException:
            raise RequestRejected(400, "malformed_body", "The body is not valid JSON.") from None


def declares_bearer(handler: BaseRouteHandler) -> bool:
    """Whether the handler's OpenAPI security (the single source of truth) needs a token."""
    if not isinstance(handler, HTTPRouteHandler):
        return False
    return any(BEARER_SCHEME in requirement for requirement in handler.resolve_security())


def takes_json_body(handler: BaseRouteHandler) -> bool:
    parameter = handler.parsed_fn_signature.parameters.get("data")
    if parameter is None:
        return False
    body = parameter.kwarg_definition
    media_type = body.media_type if isinstance(body, BodyKwarg) else RequestEncodingType.JSON
    return media_type == RequestEncodingType.JSON


def is_json_media_type(media_type: str) -> bool:
    """``application/json`` or a structured ``application/<name>+json`` type."""
    kind, _, subtype = media_type.strip().lower().partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


class _Needs(NamedTuple):
    """What the edge checks for one route handler, learned on its first request."""

    caller: type[object] | None  # the caller type to authenticate, or None: no token
    json_body: bool


class EdgeChecks:
    """The app's before-request hook: authenticate, then check the body's media type
    (both before the body is read); then answer OPTIONS with every method of the path.

    Litestar 2 builds a controller's routes one handler at a time and keeps the first
    OPTIONS handler of a path, whose Allow header then lists only the first method
    (litestar-org/litestar#4169, fixed only in Litestar 3), so OPTIONS is answered here
    from the app's final routes. A layer below the app that set a before-request hook of
    its own would replace this one (Litestar keeps the innermost): none may (a test
    walks every route).
    """

    def __init__(self) -> None:
        self._methods: Mapping[str, str] = {}
        self._needs: dict[int, _Needs] = {}  # by id(): handlers live as long as the app

    def learn(self, app: Litestar) -> None:
        self._methods = {
            route.path_format: ", ".join(sorted(route.methods))
            for route in app.routes
            if isinstance(route, HTTPRoute)
        }

    async def __call__(self, request: Request[Any, Any, Any]) -> Response[None] | None:
        handler = request.route_handler
        needs = self._needs.get(id(handler))
        if needs is None:
            needs = self._needs[id(handler)] = _Needs(
                # A route may name another caller type in ``opt["caller"]`` (the appeal
                # route admits suspended members as an ``Appellant``).
                handler.opt.get("caller", Principal) if declares_bearer(handler) else None,
                takes_json_body(handler),
            )
        if needs.caller is not None:
            # dishka keeps it in the scope's state (``request.state`` builds a wrapper).
            container: Any = request.scope["state"]["dishka_container"]
            # Cached in the request scope: the handler's FromDishka[Principal] gets this one.
            await container.get(needs.caller)
        if needs.json_body and not is_json_media_type(request.content_type[0]):
            # Refusing other types also keeps cross-site "simple" requests (text/plain,
            # forms), which browsers send without a preflight, from driving the API.
            raise RequestRejected(
                415,
                "unsupported_media_type",
                "Send the body as JSON with 'Content-Type: application/json'.",
            )
        # Only Litestar's own OPTIONS handler: a route that defines one keeps it.
        if request.method != "OPTIONS" or handler.handler_name != "options_handler":
            return None
        allow = self._methods.get(request.scope.get("path_template", ""))
        if allow is None:
            return None
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            headers={"Allow": allow},
            media_type=MediaType.TEXT,
        )
