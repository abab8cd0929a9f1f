"""ASGI middleware: request ids with structured access logs and metrics, and rate limiting.

Rate limiting runs before authentication (the edge guard authenticates once a route has
matched, see ``edge``), so floods of bad tokens are limited too. Auth endpoints count per
client IP; everything else per user (from a validly signed token) or per IP.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

from saltbitter.application.ports.cache import NOTHING_READ, CacheReads, RateLimiter
from saltbitter.application.ports.security import AccessClaims, AccessTokenCodec
from saltbitter.application.ports.system import Clock
from saltbitter.domain.errors import AuthenticationFailed, Unavailable
from saltbitter.entrypoints.http.metrics import UNMATCHED, RequestMetrics
from saltbitter.entrypoints.http.problems import PROBLEM_JSON, Problem, title_for
from saltbitter.entrypoints.settings import Settings

__all__ = [
    "ACCESS_CLAIMS",
    "READ_ON_THE_WAY",
    "DecodedAccess",
    "RateLimitMiddleware",
    "RequestContextMiddleware",
    "client_ip",
    "is_rate_limited",
    "read_on_the_way",
]

log = structlog.get_logger("saltbitter.http")
# Asked before each access log line: a line below the level then costs no event at all.
_access_log = logging.getLogger("saltbitter.http")
# Signed photo links carry no token; their signature, not a counter, guards them.
_UNLIMITED_PREFIXES = ("/health", "/metrics", "/schema", "/api/v1/photo-files/")
AUTH_PREFIX = "/api/v1/auth/"
# Scope state key: the ``DecodedAccess`` the rate limiter made, for authentication to reuse.
ACCESS_CLAIMS = "saltbitter.access_claims"
# Route option: ``Callable[[UserId], tuple[str, ...]]``, the cache keys the route reads
# first for that caller; the edge reads them in the rate limit's round trip (ADR 0044).
READ_ON_THE_WAY = "read_on_the_way"


@dataclass(frozen=True, slots=True)
class DecodedAccess:
    """A validly signed, unexpired access token as the rate limiter decoded it, and the
    member's principal stamp read in the rate limit's round trip (None when the limiter
    could not read it: authentication then reads it itself; ADR 0036); likewise the
    route's ``READ_ON_THE_WAY`` cache entries (ADR 0044)."""

    token: str
    claims: AccessClaims
    stamp: str | None
    read: CacheReads = field(default_factory=lambda: NOTHING_READ)


def read_on_the_way(scope: Scope) -> CacheReads:
    """The cache entries the edge read for this request (none when it could not)."""
    decoded = scope.get("state", {}).get(ACCESS_CLAIMS)
    return decoded.read if isinstance(decoded, DecodedAccess) else NOTHING_READ


_WINDOW_SECONDS = 60


def is_rate_limited(path: str) -> bool:
    """Whether requests to ``path`` count against a rate limit (429, or 503 without Redis)."""
    return not path.startswith(_UNLIMITED_PREFIXES)


@functools.lru_cache(maxsize=8)
def _proxy_networks(
    trusted_proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Trusted proxies as networks: an address, or a range such as a load balancer's
    subnets (``10.40.0.0/16``), whose addresses change as it scales."""
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies)


def _is_trusted(address: str, trusted_proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _proxy_networks(trusted_proxies))


def client_ip(scope: Scope, trusted_proxies: tuple[str, ...]) -> str:
    """The caller's address; X-Forwarded-For is believed only from trusted proxies."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if not _is_trusted(peer, trusted_proxies):
        return peer
    forwarded = _raw_header(scope, b"x-forwarded-for")
    if not forwarded:
        return peer
    for hop in reversed([part.strip() for part in forwarded.decode("latin-1").split(",")]):
        if hop and not _is_trusted(hop, trusted_proxies):
            return hop
    return peer


def _raw_header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of header ``name`` (lower case), straight from the ASGI scope:
    building a ``Headers`` object for one look-up cost more than the look-up."""
    return next((value for key, value in scope["headers"] if key == name), None)


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it is a plausible one, else a fresh random id."""
    incoming = _raw_header(scope, b"x-request-id")
    if incoming is not None and 8 <= len(incoming) <= 64 and incoming.isascii():
        return incoming.decode()
    return os.urandom(16).hex()  # a uuid4's randomness, cheaper


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID), logs one line per request and
    records its metrics (``RequestMetrics``; ``/metrics`` itself is not counted).

    The log line holds method, route path, status and duration: never bodies, query
    strings or headers, which may carry personal data or secrets.
    """

    def __init__(self, app: ASGIApp, metrics: RequestMetrics | None = None) -> None:
        self.app = app
        self._metrics = metrics or RequestMetrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        answered = 0.0
        method: str = scope["method"]
        counted = scope["path"] != "/metrics"
        if counted:
            self._metrics.started(method)

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            elif not message.get("more_body", False):
                answered = time.perf_counter()
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if counted:
                # The router wrote the matched route's template into this same scope.
                template = scope.get("path_template", UNMATCHED)
                finished = answered or time.perf_counter()
                self._metrics.finished(method, template, status, finished - started)
            if _access_log.isEnabledFor(logging.INFO):
                log.info(
                    "http.request",
                    method=scope.get("method"),
                    path=scope.get("path"),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._deps: tuple[RateLimiter, AccessTokenCodec, Clock, Settings] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != ScopeType.HTTP or not is_rate_limited(path):
            await self.app(scope, receive, send)
            return
        limiter, codec, clock, settings = await self._dependencies(scope)
        caller: tuple[str, AccessClaims] | None = None
        if path.startswith(AUTH_PREFIX):
            ip = client_ip(scope, settings.trusted_proxies)
            key, limit = f"rl:auth:ip:{ip}", settings.auth_rate_limit_per_minute
        else:
            caller = self._caller(scope, codec, clock)
            if caller is not None:
                key = f"rl:user:{caller[1].user_id}"
            else:
                key = f"rl:user:ip:{client_ip(scope, settings.trusted_proxies)}"
            limit = settings.user_rate_limit_per_minute
        member = caller[1].user_id if caller else None
        handler = scope.get("route_handler")
        route_reads = handler.opt.get(READ_ON_THE_WAY) if member and handler else None
        reads = route_reads(member) if route_reads else ()
        try:
            decision = await limiter.hit(
                key,
                limit,
                _WINDOW_SECONDS,
                stamp_of=member,
                read=reads,
            )
        except Unavailable:
            await _send_problem(
                scope, send, 503, "unavailable", "A dependency is down; try again shortly."
            )
            return
        if decision.allowed:
            if caller is not None:
                scope.setdefault("state", {})[ACCESS_CLAIMS] = DecodedAccess(
                    caller[0], caller[1], decision.stamp, decision.read
                )
            await self.app(scope, receive, send)
            return
        await _send_problem(
            scope,
            send,
            429,
            "rate_limited",
            f"Slow down: at most {limit} requests per minute here.",
            retry_after=decision.retry_after_seconds,
        )

    @staticmethod
    def _caller(
        scope: Scope, codec: AccessTokenCodec, clock: Clock
    ) -> tuple[str, AccessClaims] | None:
        authorization = _raw_header(scope, b"authorization") or b""
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        token = token.strip()
        try:
            # Signature and expiry only: revocation is checked later, by authentication,
            # which takes these claims instead of decoding the token again.
            claims = codec.decode(token, clock.now())
        except AuthenticationFailed:
            return None
        return token, claims

    async def _dependencies(
        self, scope: Scope
    ) -> tuple[RateLimiter, AccessTokenCodec, Clock, Settings]:
        if self._deps is None:
            container: Any = scope["app"].state.dishka_container
            self._deps = (
                await container.get(RateLimiter),
                await container.get(AccessTokenCodec),
                await container.get(Clock),
                await container.get(Settings),
            )
        return self._deps


async def _send_problem(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    detail: str,
    *,
    retry_after: int | None = None,
) -> None:
    """Answer from middleware, outside Litestar's exception handlers, in the same shape."""
    body = msgspec.json.encode(
        Problem(
            status=status,
            title=title_for(status),
            code=code,
            detail=detail,
            request_id=scope.get("state", {}).get("request_id"),
        )
    )
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
    }
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})
