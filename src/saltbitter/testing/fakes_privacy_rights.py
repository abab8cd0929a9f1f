"""In-memory fakes of members' privacy rights' ports: export requests, the breach
register and log, and the member lookups (over ``AccountsState``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID, uuid4

from saltbitter.application.ports.privacy_rights import (
    BreachAudience,
    BreachLog,
    BreachMembers,
    BreachRegister,
    ExportRequests,
    MemberContact,
    MemberContacts,
)
from saltbitter.domain.privacy.breaches import Breach, BreachAction, BreachLogEntry
from saltbitter.domain.privacy.exports import DataExport
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "BreachMember",
    "InMemoryBreachAudience",
    "InMemoryBreachLog",
    "InMemoryBreachMembers",
    "InMemoryBreachRegister",
    "InMemoryExportRequests",
    "InMemoryMemberContacts",
    "PrivacyRightsState",
]


@dataclass
class BreachMember:
    id: UUID
    breach_id: UUID
    member_id: UserId | None
    notified_at: datetime | None = None


@dataclass
class PrivacyRightsState:
    exports: dict[UUID, DataExport] = field(default_factory=dict)
    breaches: dict[UUID, Breach] = field(default_factory=dict)
    breach_members: list[BreachMember] = field(default_factory=list)
    breach_log: list[BreachLogEntry] = field(default_factory=list)


class _Fake(InMemoryRepository):
    __slots__ = ()

    @property
    def _state(self) -> PrivacyRightsState:
        return self._connection.state(PrivacyRightsState)


class InMemoryExportRequests(_Fake, ExportRequests):
    __slots__ = ()

    def add(self, export: DataExport) -> None:
        self._state.exports[export.id] = export

    async def get(self, export_id: UUID) -> DataExport | None:
        return self._state.exports.get(export_id)

    async def last_requested_at(self, member: UserId) -> datetime | None:
        times = [e.requested_at for e in self._state.exports.values() if e.member_id == member]
        return max(times, default=None)

    async def save(self, export: DataExport) -> None:
        if export.id in self._state.exports:
            self._state.exports[export.id] = export


class InMemoryMemberContacts(InMemoryRepository, MemberContacts):
    __slots__ = ()

    async def contact(self, member: UserId) -> MemberContact | None:
        user = self._connection.state(AccountsState).users.get(member)
        return None if user is None else MemberContact(member, user.email.value, user.display_name)


class InMemoryBreachAudience(InMemoryRepository, BreachAudience):
    __slots__ = ()

    async def by_emails(self, emails: Sequence[str]) -> dict[str, UserId]:
        wanted = {email.strip().lower() for email in emails}
        users = self._connection.state(AccountsState).users.values()
        return {u.email.value: u.id for u in users if u.email.value in wanted}

    async def existing(self, members: Sequence[UserId]) -> list[UserId]:
        users = self._connection.state(AccountsState).users
        return [member for member in dict.fromkeys(members) if member in users]

    async def registered_since(self, since: datetime | None) -> list[UserId]:
        users = sorted(
            self._connection.state(AccountsState).users.values(),
            key=lambda u: (u.created_at, str(u.id)),
        )
        return [u.id for u in users if since is None or u.created_at >= since]


class InMemoryBreachRegister(_Fake, BreachRegister):
    __slots__ = ()

    def add(self, breach: Breach) -> None:
        self._state.breaches[breach.id] = breach

    def _counted(self, breach: Breach) -> Breach:
        rows = [m for m in self._state.breach_members if m.breach_id == breach.id]
        return replace(
            breach,
            affected_members=len(rows),
            notified_members=sum(1 for m in rows if m.notified_at is not None),
        )

    async def get(self, breach_id: UUID) -> Breach | None:
        breach = self._state.breaches.get(breach_id)
        return None if breach is None else self._counted(breach)

    async def list_all(self) -> list[Breach]:
        ordered = sorted(self._state.breaches.values(), key=lambda b: str(b.id))
        ordered.sort(key=lambda b: b.aware_at, reverse=True)
        return [self._counted(b) for b in ordered]

    async def record_authority_notice(
        self, breach_id: UUID, at: datetime, channel: str, reference: str | None
    ) -> None:
        breach = self._state.breaches[breach_id]
        self._state.breaches[breach_id] = replace(
            breach,
            authority_notified_at=at,
            authority_channel=channel,
            authority_reference=reference,
        )


class InMemoryBreachMembers(_Fake, BreachMembers):
    __slots__ = ()

    async def add(self, breach_id: UUID, members: Sequence[UserId]) -> int:
        rows = self._state.breach_members
        present = {m.member_id for m in rows if m.breach_id == breach_id}
        new = [member for member in dict.fromkeys(members) if member not in present]
        rows.extend(BreachMember(uuid4(), breach_id, member) for member in new)
        return len(new)

    def _waiting(self, breach_id: UUID) -> list[BreachMember]:
        return sorted(
            (
                m
                for m in self._state.breach_members
                if m.breach_id == breach_id and m.notified_at is None and m.member_id is not None
            ),
            key=lambda m: str(m.id),
        )

    async def claim_unnotified(self, breach_id: UUID, at: datetime, limit: int) -> list[UserId]:
        claimed = self._waiting(breach_id)[:limit]
        for row in claimed:
            row.notified_at = at
        return sorted((row.member_id for row in claimed if row.member_id), key=str)

    async def unnotified(self, breach_id: UUID) -> int:
        return len(self._waiting(breach_id))


class InMemoryBreachLog(_Fake, BreachLog):
    __slots__ = ()

    def append(self, entry: BreachLogEntry) -> None:
        self._state.breach_log.append(entry)

    async def entries(self, breach_id: UUID | None) -> list[BreachLogEntry]:
        rank = {action: index for index, action in enumerate(BreachAction)}
        found = [e for e in self._state.breach_log if breach_id in (None, e.breach_id)]
        return sorted(found, key=lambda e: (e.at, rank[e.action], str(e.id)))
