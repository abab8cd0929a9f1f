"""The contract of the privacy rights' storage ports: the SQL adapters (SQLite in
tests/unit, PostgreSQL in tests/integration) and the in-memory fakes pass the same tests.

Subclasses provide a ``connect`` fixture: ``Connect[PrivacyRightsStore]``, each call a new
request's connection with the ports (and accounts' users, to seed members).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.privacy_rights import (
    BreachAudience,
    BreachLog,
    BreachMembers,
    BreachRegister,
    ExportRequests,
    MemberContact,
    MemberContacts,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.privacy.breaches import Breach, BreachAction, BreachLogEntry
from saltbitter.domain.privacy.exports import DataExport, ExportStatus
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.scopes import Connect

__all__ = ["PrivacyRightsContract", "PrivacyRightsStore"]

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PrivacyRightsStore:
    transaction: Transaction
    users: UserRepository
    exports: ExportRequests
    contacts: MemberContacts
    audience: BreachAudience
    register: BreachRegister
    members: BreachMembers
    log: BreachLog


async def _members(connect: Connect[PrivacyRightsStore], *created: datetime) -> list[UserId]:
    users = [a_user(created_at=at) for at in created]
    async with connect() as store, store.transaction:
        for user in users:
            store.users.add(user)
        await store.transaction.commit()
    return [user.id for user in users]


async def _breach(connect: Connect[PrivacyRightsStore], members: list[UserId]) -> Breach:
    breach = Breach(uuid4(), "Leak", ("email", "photos"), T0, T0 + timedelta(hours=1))
    async with connect() as store, store.transaction:
        store.register.add(breach)
        assert await store.members.add(breach.id, members) == len(set(members))
        await store.transaction.commit()
    return breach


class PrivacyRightsContract:
    async def test_export_requests_round_trip(self, connect: Connect[PrivacyRightsStore]) -> None:
        (ada, bo) = await _members(connect, T0, T0)
        first, second = DataExport(uuid4(), ada, T0), DataExport(uuid4(), ada, T0 + timedelta(1))
        async with connect() as store, store.transaction:
            store.exports.add(first)
            store.exports.add(second)
            await store.transaction.commit()
        async with connect() as store:
            assert await store.exports.get(first.id) == first
            assert await store.exports.get(uuid4()) is None
            assert await store.exports.last_requested_at(ada) == second.requested_at
            assert await store.exports.last_requested_at(bo) is None
        ready = first.ready("exports/a/b.zip", T0 + timedelta(hours=1))
        async with connect() as store, store.transaction:
            await store.exports.save(ready)
            await store.transaction.commit()
        async with connect() as store:
            stored = await store.exports.get(first.id)
        assert stored == ready
        assert stored is not None
        assert stored.status is ExportStatus.READY
        assert stored.expires_at == T0 + timedelta(days=7, hours=1)

    async def test_contacts_and_the_audience(self, connect: Connect[PrivacyRightsStore]) -> None:
        ada, bo, cy = await _members(connect, T0, T0 + timedelta(hours=1), T0 + timedelta(2))
        async with connect() as store:
            contact = await store.contacts.contact(ada)
            assert isinstance(contact, MemberContact)
            assert await store.contacts.contact(UserId(uuid4())) is None
            user = await store.users.get(bo)
            assert user is not None
            found = await store.audience.by_emails([user.email.value.upper(), "no@example.org"])
            assert found == {user.email.value: bo}
            assert await store.audience.by_emails([]) == {}
            stranger = UserId(uuid4())
            assert await store.audience.existing([cy, stranger, ada, cy]) == [cy, ada]
            assert await store.audience.existing([]) == []
            since = await store.audience.registered_since(T0 + timedelta(minutes=30))
            assert since[-2:] == [bo, cy]
            assert ada not in since
            assert {ada, bo, cy} <= set(await store.audience.registered_since(None))

    async def test_the_register_counts_and_records_the_authority_notice(
        self, connect: Connect[PrivacyRightsStore]
    ) -> None:
        members = await _members(connect, T0, T0, T0)
        breach = await _breach(connect, members)
        later = Breach(uuid4(), "Later", ("email",), T0 + timedelta(days=1), T0)
        async with connect() as store, store.transaction:
            store.register.add(later)
            assert await store.members.add(breach.id, [members[0], UserId(members[0])]) == 0
            await store.transaction.commit()
        async with connect() as store:
            stored = await store.register.get(breach.id)
            assert stored is not None
            assert (stored.affected_members, stored.notified_members) == (3, 0)
            assert stored.data_classes == ("email", "photos")
            listed = [b.id for b in await store.register.list_all()]
            assert listed.index(later.id) < listed.index(breach.id)  # newest first
            assert await store.register.get(uuid4()) is None
        async with connect() as store, store.transaction:
            await store.register.record_authority_notice(breach.id, T0, "portal", "C-1")
            await store.transaction.commit()
        async with connect() as store:
            told = await store.register.get(breach.id)
        assert told is not None
        assert (told.authority_notified_at, told.authority_channel) == (T0, "portal")
        assert told.authority_reference == "C-1"

    async def test_members_are_claimed_once_in_batches(
        self, connect: Connect[PrivacyRightsStore]
    ) -> None:
        members = await _members(connect, T0, T0, T0)
        breach = await _breach(connect, members)
        claimed: list[UserId] = []
        for expected in (2, 1, 0):
            async with connect() as store, store.transaction:
                batch = await store.members.claim_unnotified(breach.id, T0, 2)
                await store.transaction.commit()
            assert len(batch) == expected
            claimed += batch
        assert sorted(claimed, key=str) == sorted(members, key=str)
        async with connect() as store:
            assert await store.members.unnotified(breach.id) == 0
            stored = await store.register.get(breach.id)
            assert stored is not None
            assert stored.notified_members == 3
        # A rolled-back claim leaves the member to the next run.
        another = await _breach(connect, members[:1])
        async with connect() as store, store.transaction:
            assert await store.members.claim_unnotified(another.id, T0, 5) == members[:1]
        async with connect() as store:
            assert await store.members.unnotified(another.id) == 1

    async def test_the_log_appends_and_reads_in_order(
        self, connect: Connect[PrivacyRightsStore]
    ) -> None:
        breach = await _breach(connect, [])
        other = await _breach(connect, [])
        entries = [
            BreachLogEntry(uuid4(), breach.id, BreachAction.MEMBERS_ADDED, T0, "ops", {"n": 2}),
            BreachLogEntry(uuid4(), breach.id, BreachAction.RECORDED, T0, "ops", {"scope": "s"}),
            BreachLogEntry(
                uuid4(), other.id, BreachAction.RECORDED, T0 + timedelta(hours=1), "ops"
            ),
        ]
        async with connect() as store, store.transaction:
            for entry in entries:
                store.log.append(entry)
            await store.transaction.commit()
        async with connect() as store:
            mine = await store.log.entries(breach.id)
            everything = await store.log.entries(None)
        assert mine == [entries[1], entries[0]]  # same time: the workflow's order
        assert everything == [entries[1], entries[0], entries[2]]
