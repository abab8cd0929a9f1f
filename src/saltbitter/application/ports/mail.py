"""Outgoing email."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
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

    async def send_all(self, messages: Sequence[OutgoingEmail]) -> tuple[int, Exception | None]:
        """Hand the messages over in order, stopping at the first that fails: how many
        went, and that failure (None when all went). A transport that can hand over
        several at once (one thread hop, one connection) overrides this one-by-one loop."""
        for sent, message in enumerate(messages):
            try:
                await self.send(message)
            except Exception as failure:  # the caller records what went, then raises it
                return sent, failure
        return len(messages), None
