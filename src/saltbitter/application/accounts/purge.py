"""Housekeeping: accounts never verified within 24 hours are deleted."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.domain.accounts import UNVERIFIED_ACCOUNT_LIFETIME

__all__ = ["PurgeUnverifiedAccounts"]


@dataclass(frozen=True, slots=True)
class PurgeUnverifiedAccounts:
    """Delete pending accounts older than 24 h with their codes, sessions and consents.

    Runs hourly; idempotent, one bulk statement rather than a row at a time.
    """

    uow: UnitOfWork
    clock: Clock

    async def __call__(self) -> int:
        cutoff = self.clock.now() - UNVERIFIED_ACCOUNT_LIFETIME
        async with self.uow as uow:
            purged = await uow.users.delete_unverified_created_before(cutoff)
            await uow.commit()
        return purged
