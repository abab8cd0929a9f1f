"""Time and randomness as ports, so every rule is testable and every batch reproducible."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol
from uuid import UUID

__all__ = ["Clock", "IdGenerator", "SecretGenerator"]


class Clock(Protocol):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class IdGenerator(Protocol):
    @abstractmethod
    def new_id(self) -> UUID: ...


class SecretGenerator(Protocol):
    @abstractmethod
    def one_time_code(self) -> str:
        """Six decimal digits from a cryptographic source."""

    @abstractmethod
    def opaque_token(self) -> str:
        """A URL-safe token with at least 256 bits of entropy."""
