"""Ports of account deletion and erasure (docs/privacy.md): the schedule the jobs claim
rows from, the payment customers to delete at the provider, and the outbox purge."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from saltbitter.domain.shared import UserId

__all__ = ["ErasureReminder", "ErasureSchedule", "OutboxPurge", "PaymentCustomers"]


@dataclass(frozen=True, slots=True)
class ErasureReminder:
    user_id: UserId
    erasure_due_at: datetime
    days: int


class ErasureSchedule(Protocol):
    """The accounts awaiting erasure, claimed row by row so that two workers never act on
    the same account twice (each call is one atomic update of the rows it returns)."""

    @abstractmethod
    async def mark_reminders(self, now: datetime, days: int) -> Sequence[ErasureReminder]:
        """Accounts whose erasure is due within ``days`` days (and not yet) that had no
        reminder for ``days`` or fewer days: marked as reminded for ``days`` and returned."""

    @abstractmethod
    async def claim_due(self, now: datetime, lease: timedelta) -> Sequence[UserId]:
        """Accounts whose erasure is due and not claimed (or whose claim is older than
        ``lease``: its worker died), claimed at ``now`` and returned."""

    @abstractmethod
    async def claim_now(self, member: UserId, now: datetime) -> bool:
        """An operator's erasure: deactivate the account, make it due and claimed now.
        False when there is no such account."""

    @abstractmethod
    async def holds_claim(self, member: UserId, claimed_at: datetime) -> bool:
        """Whether the account still awaits erasure under the claim made at ``claimed_at``
        (locks the row until the transaction ends)."""


class PaymentCustomers(Protocol):
    """Read port: the member's customer ids at the payment provider."""

    @abstractmethod
    async def customer_ids(self, member: UserId) -> Sequence[str]: ...


class OutboxPurge(Protocol):
    """Removes outbox rows whose payload names the member (dispatched or not: after the
    erasure nothing is left for them to act on)."""

    @abstractmethod
    async def purge_naming(self, member: UserId) -> int: ...
