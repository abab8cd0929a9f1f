"""Credentials: password hashing and access tokens."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from saltbitter.domain.shared import SessionId, UserId

__all__ = ["AccessClaims", "AccessTokenCodec", "PasswordHasher"]


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
