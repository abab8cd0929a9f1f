"""Outgoing email."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Mailer", "OutgoingEmail"]


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    @abstractmethod
    async def send(self, message: OutgoingEmail) -> None:
        """Hand the message to the transport; raises ``Unavailable`` when it is down."""
