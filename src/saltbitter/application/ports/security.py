"""Credentials: password hashing and access tokens."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import SessionId, UserId

__all__ = ["AccessClaims", "AccessTokenCodec", "PasswordHasher", "PrincipalCache"]

T = TypeVar("T")


class PasswordHasher(Protocol):
    @abstractmethod
    async def hash(self, password: str) -> str: ...

    @abstractmethod
    async def verify(self, password_hash: str, password: str) -> bool: ...

    @abstractmethod
    async def verify_decoy(self, password: str) -> None:
        """Spend the time of a real verification (for unknown accounts) and discard it."""

    @abstractmethod
    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with older parameters than the current ones."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: UserId
    session_id: SessionId
    issued_at: datetime
    expires_at: datetime


class AccessTokenCodec(Protocol):
    @abstractmethod
    def issue(self, claims: AccessClaims) -> str: ...

    @abstractmethod
    def decode(self, token: str, now: datetime) -> AccessClaims:
        """The token's claims; raises ``AuthenticationFailed`` when invalid or expired."""


class PrincipalCache(Protocol):
    """Principals kept for a few seconds per process, dropped everywhere the moment a
    member's account or sessions change (ADR 0032).

    ``stamp`` is the member's current version, shared by every process (one Redis read);
    a kept principal counts only while the stamp it was kept under is still current.
    Read the stamp *before* reading the database, and ``forget`` only *after* the commit
    that changed the member: then no process can keep a stale principal under a new stamp.
    """

    @abstractmethod
    async def stamp(self, user_id: UserId) -> str: ...

    @abstractmethod
    def get(self, session_id: SessionId, stamp: str) -> Principal | None: ...

    @abstractmethod
    def keep(self, principal: Principal, stamp: str) -> None: ...

    @abstractmethod
    async def forget(self, user_ids: Collection[UserId]) -> None:
        """New stamps for ``user_ids``: every process re-reads them on their next request."""

    @abstractmethod
    def kept_view(self, user_id: UserId, stamp: str, kind: type[T]) -> T | None:
        """A view of the member's own account (``GetMe``'s) this process kept under
        ``stamp``, while that is still the member's stamp (ADR 0036). Only views built
        from data whose every change renews the stamp may be kept."""

    @abstractmethod
    def keep_view(self, user_id: UserId, stamp: str, view: object) -> None: ...
