"""Request-scoped values that HTTP handlers receive through dishka."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide
from litestar import Request
from litestar.types import Scope as AsgiScope

from saltbitter.application.accounts.deletion import AccountOwner
from saltbitter.application.accounts.sessions import Authenticate, kept_principal
from saltbitter.application.ports.security import PrincipalCache
from saltbitter.application.safety.appellants import Appellant, AuthenticateAppellant
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.domain.errors import AuthenticationFailed
from saltbitter.entrypoints.http.middleware import ACCESS_CLAIMS, DecodedAccess, client_ip
from saltbitter.entrypoints.settings import Settings

__all__ = ["HttpProvider", "request_container"]


def request_container(scope: AsgiScope) -> AsyncContainer:
    """The request's dishka container, for a handler that resolves a dependency only on
    the path that needs it (the daily set's, ADR 0049). dishka keeps it in the scope's
    state (``request.state`` would build a wrapper)."""
    container: Any = scope["state"]["dishka_container"]
    assert isinstance(container, AsyncContainer)
    return container


def _bearer_token(request: Request) -> str:  # type: ignore[type-arg]
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(
            "Send 'Authorization: Bearer <access token>'.", code="missing_token"
        )
    return token.strip()


def _decoded(request: Request) -> DecodedAccess | None:  # type: ignore[type-arg]
    """What the rate limiter decoded from this request's own Authorization header."""
    decoded = request.scope.get("state", {}).get(ACCESS_CLAIMS)
    return decoded if isinstance(decoded, DecodedAccess) else None


def _kept(principals: PrincipalCache, decoded: DecodedAccess | None) -> Principal | None:
    """The caller's kept principal, when the edge decoded the token and read the stamp:
    ``Authenticate`` would return it without a read, so it is not built (it takes the
    request's connection; ADR 0049)."""
    if decoded is None or decoded.stamp is None:
        return None
    return kept_principal(principals, decoded.claims, decoded.stamp)


class HttpProvider(Provider):
    scope = Scope.REQUEST

    @provide
    async def principal(
        self,
        request: Request,  # type: ignore[type-arg]  # dishka keys on the bare class
        principals: PrincipalCache,
    ) -> Principal:
        decoded = _decoded(request)
        kept = _kept(principals, decoded)
        if kept is not None:
            return kept
        authenticate = await request_container(request.scope).get(Authenticate)
        if decoded is not None:  # the rate limiter decoded it and read the stamp
            return await authenticate.verified(decoded.claims, decoded.stamp)
        return await authenticate(_bearer_token(request))

    @provide
    async def owner(
        self,
        request: Request,  # type: ignore[type-arg]  # dishka keys on the bare class
        principals: PrincipalCache,
    ) -> AccountOwner:
        """The caller of routes a member awaiting erasure may use: like ``principal``,
        but ``deletion_pending`` accounts pass (docs/privacy.md)."""
        decoded = _decoded(request)
        kept = _kept(principals, decoded)
        if kept is not None:
            return AccountOwner(kept)
        authenticate = await request_container(request.scope).get(Authenticate)
        if decoded is not None:
            return await authenticate.verified_owner(decoded.claims, decoded.stamp)
        return await authenticate.owner(_bearer_token(request))

    @provide
    async def appellant(
        self,
        request: Request,  # type: ignore[type-arg]  # dishka keys on the bare class
        authenticate: AuthenticateAppellant,
    ) -> Appellant:
        """The appeal route's caller: like ``principal``, but suspended members pass."""
        return await authenticate(_bearer_token(request))

    @provide
    def client_info(
        self,
        request: Request,  # type: ignore[type-arg]  # dishka keys on the bare class
        settings: Settings,
    ) -> ClientInfo:
        user_agent = request.headers.get("user-agent")
        return ClientInfo(
            ip_address=client_ip(request.scope, settings.trusted_proxies),
            user_agent=user_agent[:300] if user_agent else None,
        )
