"""Walk the personal-data registry: one member's export, or their erasure.

The holders work on the request's one connection, so each use case runs in one
transaction: the export is one consistent view, and the erasure commits all capabilities'
deletions together or none. The caller deletes the blob keys the erasure reports after it
returned (after the commit). The privacy issue builds the API, the grace period and the
jobs on these two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from saltbitter.application.ports.privacy import (
    ErasureReport,
    MemberExport,
    PersonalDataHolders,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.shared import UserId

__all__ = ["EraseMember", "ExportMemberData"]


@dataclass(frozen=True, slots=True)
class ExportMemberData:
    """Everything held about a member, read in one transaction; writes nothing."""

    transaction: Transaction
    holders: PersonalDataHolders

    async def __call__(self, member: UserId) -> Mapping[str, MemberExport]:
        """Capability name -> its tables -> the member's rows."""
        async with self.transaction:
            return {
                holder.declaration.capability: await holder.export(member)
                for holder in self.holders.holders
            }


@dataclass(frozen=True, slots=True)
class EraseMember:
    """Erase a member from every capability in one transaction, committed at the end."""

    transaction: Transaction
    holders: PersonalDataHolders

    async def __call__(self, member: UserId) -> Sequence[ErasureReport]:
        """Erases in registry order, which ends with accounts: every other table refers
        to ``users``, so its row goes last. Nothing is erased unless everything is."""
        async with self.transaction:
            reports = [await holder.erase(member) for holder in self.holders.holders]
            await self.transaction.commit()
        return reports
