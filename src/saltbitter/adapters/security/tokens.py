"""Access tokens as HS256 JSON Web Tokens (PyJWT).

Claims: ``sub`` (user id), ``sid`` (session id), ``iat``, ``exp`` (whole seconds since
the epoch, so times come back truncated to the second), ``typ="access"`` and
``iss="saltbitter"``. Expiry is checked against the ``now`` the caller passes (its
``Clock``), never against the wall clock, so the rule is testable and consistent with
the rest of the application.

Verifying a token (two base64 and JSON decodes, the HMAC, the claim checks) was a sixth
of a cached read's CPU (ADR 0044). A client sends the same token for its whole lifetime,
so the codec keeps the claims of the last ``remembered`` tokens that verified, keyed by
the exact token text: the same text under the same key always verifies to the same
claims, so only expiry, which depends on ``now``, is judged again on every decode.
Tokens that fail are never kept (a flood of forged tokens cannot fill the memory).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import jwt

from saltbitter.application.ports.security import AccessClaims, AccessTokenCodec
from saltbitter.domain.errors import AuthenticationFailed
from saltbitter.domain.shared import SessionId, UserId

__all__ = ["JwtAccessTokenCodec"]

ALGORITHM = "HS256"
ISSUER = "saltbitter"
TOKEN_TYPE = "access"
MIN_SECRET_BYTES = 32
# About a minute of distinct tokens at a busy worker's rate; ~0.5 KB each.
REMEMBERED_TOKENS = 20_000
_REQUIRED = ["sub", "sid", "iat", "exp", "typ", "iss"]


def _invalid() -> AuthenticationFailed:
    return AuthenticationFailed("The access token is invalid or expired.", code="invalid_token")


def _timestamp(moment: datetime, name: str) -> float:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.timestamp()


class JwtAccessTokenCodec(AccessTokenCodec):
    """Signs with a shared secret of at least 32 bytes (RFC 7518 §3.2 for HS256)."""

    def __init__(
        self, secret: str | bytes, *, issuer: str = ISSUER, remembered: int = REMEMBERED_TOKENS
    ) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        if len(key) < MIN_SECRET_BYTES:
            raise ValueError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes")
        if remembered < 0:
            raise ValueError("remembered must not be negative")
        self._key = key
        self._issuer = issuer
        self._remembered = remembered
        # token text -> (claims, expiry in epoch seconds); insertion order is age.
        self._verified: dict[str, tuple[AccessClaims, int]] = {}

    def issue(self, claims: AccessClaims) -> str:
        payload = {
            "sub": str(claims.user_id),
            "sid": str(claims.session_id),
            "iat": math.floor(_timestamp(claims.issued_at, "issued_at")),
            "exp": math.floor(_timestamp(claims.expires_at, "expires_at")),
            "typ": TOKEN_TYPE,
            "iss": self._issuer,
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)

    def decode(self, token: str, now: datetime) -> AccessClaims:
        current = _timestamp(now, "now")
        known = self._verified.get(token)
        if known is None:
            known = self._verify(token)
            self._remember(token, known)
        claims, expires_at = known
        if current >= expires_at:
            self._verified.pop(token, None)
            raise _invalid()
        return claims

    @property
    def remembered_count(self) -> int:
        """How many verified tokens the codec holds now (at most ``remembered``)."""
        return len(self._verified)

    def _remember(self, token: str, verified: tuple[AccessClaims, int]) -> None:
        if self._remembered == 0:
            return
        if len(self._verified) >= self._remembered:
            # The oldest entry goes first: a dict keeps insertion order.
            del self._verified[next(iter(self._verified))]
        self._verified[token] = verified

    def _verify(self, token: str) -> tuple[AccessClaims, int]:
        """Signature, issuer, type and claim shapes; expiry is the caller's to judge."""
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                options={
                    "require": _REQUIRED,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError:
            raise _invalid() from None
        if payload.get("typ") != TOKEN_TYPE:
            raise _invalid()
        issued_at, expires_at = payload["iat"], payload["exp"]
        subject, session = payload["sub"], payload["sid"]
        if type(issued_at) is not int or type(expires_at) is not int:
            raise _invalid()
        if not isinstance(subject, str) or not isinstance(session, str):
            raise _invalid()
        try:
            user_id, session_id = UUID(subject), UUID(session)
        except ValueError:
            raise _invalid() from None
        claims = AccessClaims(
            user_id=UserId(user_id),
            session_id=SessionId(session_id),
            issued_at=datetime.fromtimestamp(issued_at, UTC),
            expires_at=datetime.fromtimestamp(expires_at, UTC),
        )
        return claims, expires_at
