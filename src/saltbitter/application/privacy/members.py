"""Walk the personal-data registry: one member's export, or their erasure.

The holders act on the caller's transaction; the caller commits (and, after the commit,
deletes the blob keys the erasure reports). The privacy issue builds the API, the grace
period and the jobs on these two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from saltbitter.application.ports.privacy import ErasureReport, MemberExport, PersonalDataHolder
from saltbitter.domain.shared import UserId

__all__ = ["EraseMember", "ExportMemberData"]


class ExportMemberData:
    def __init__(self, holders: Sequence[PersonalDataHolder]) -> None:
        self._holders = holders

    async def __call__(self, member: UserId) -> Mapping[str, MemberExport]:
        """Capability name -> its tables -> the member's rows."""
        return {
            holder.declaration.capability: await holder.export(member) for holder in self._holders
        }


class EraseMember:
    def __init__(self, holders: Sequence[PersonalDataHolder]) -> None:
        self._holders = holders

    async def __call__(self, member: UserId) -> Sequence[ErasureReport]:
        """Erases in registry order, which ends with accounts: every other table refers
        to ``users``, so its row goes last."""
        return [await holder.erase(member) for holder in self._holders]
