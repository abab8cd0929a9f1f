"""Housekeeping: accounts never verified within 24 hours are deleted."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import UNVERIFIED_ACCOUNT_LIFETIME

__all__ = ["PurgeUnverifiedAccounts"]


@dataclass(frozen=True, slots=True)
class PurgeUnverifiedAccounts:
    """Delete pending accounts older than 24 h with their codes, sessions and consents.

    Runs hourly; idempotent, one bulk statement rather than a row at a time.
    """

    transaction: Transaction
    users: UserRepository
    clock: Clock

    async def __call__(self) -> int:
        cutoff = self.clock.now() - UNVERIFIED_ACCOUNT_LIFETIME
        async with self.transaction:
            purged = await self.users.delete_unverified_created_before(cutoff)
            await self.transaction.commit()
        return purged
