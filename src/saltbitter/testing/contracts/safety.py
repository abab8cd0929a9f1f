"""Contract of the safety capability's ports: the in-memory fakes, SQLite and PostgreSQL
run these tests.

Subclass :class:`SafetyContract` with a ``ports`` fixture: a factory of async context
managers, each yielding :class:`SafetyPorts` built on ONE connection (one request), all
of them on one empty store. ``users`` and ``matching`` are there only to seed members and
matches that safety's rows refer to.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.ports.accounts import SessionRepository, UserRepository
from saltbitter.application.ports.matching import SwipeWriter
from saltbitter.application.ports.safety import (
    AuditEntry,
    Block,
    BlockReads,
    BlockStore,
    CheckIn,
    CheckInStore,
    HeldMessage,
    HeldMessageStore,
    MemberDirectory,
    MemberStanding,
    ModerationAudit,
    Report,
    ReportStore,
    RoleAssignments,
    SafetyMatches,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.errors import Conflict
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.safety import ModerationAction, ReportReason, ReportStatus, severity_of
from saltbitter.domain.shared import Role, UserId
from saltbitter.testing.builders import a_session, a_user

__all__ = ["T0", "PortsFactory", "SafetyContract", "SafetyPorts"]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class SafetyPorts:
    transaction: Transaction
    block_reads: BlockReads
    blocks: BlockStore
    members: MemberDirectory
    reports: ReportStore
    audit: ModerationAudit
    standing: MemberStanding
    roles: RoleAssignments
    matches: SafetyMatches
    check_ins: CheckInStore
    held_messages: HeldMessageStore
    users: UserRepository
    sessions: SessionRepository
    matching: SwipeWriter


PortsFactory = Callable[[], AbstractAsyncContextManager[SafetyPorts]]


async def _members(ports: PortsFactory, count: int) -> list[UserId]:
    async with ports() as p, p.transaction:
        users = [a_user() for _ in range(count)]
        for user in users:
            p.users.add(user)
        await p.transaction.commit()
    return [u.id for u in users]


def _report(reporter: UserId, reported: UserId, reason: ReportReason, at: datetime) -> Report:
    return Report(uuid4(), reporter, reported, reason, "details here", severity_of(reason), at)


def _check_in(member: UserId, match_id: object, due: datetime) -> CheckIn:
    return CheckIn(
        id=uuid4(),
        member_id=member,
        match_id=match_id,  # type: ignore[arg-type]
        starts_at=due - timedelta(hours=2),
        check_in_by=due,
        contact_name="Sam",
        contact_email="sam@example.org",
        created_at=T0,
    )


class SafetyContract:
    @pytest.fixture
    def ports(self) -> PortsFactory:
        raise NotImplementedError("provide safety's ports on one connection, one store")

    # Blocks ----------------------------------------------------------------------

    async def test_blocked_between_sees_both_directions(self, ports: PortsFactory) -> None:
        ada, bo, cy, dee = await _members(ports, 4)
        async with ports() as p, p.transaction:
            assert await p.blocks.add(Block(ada, bo, T0)) == (Block(ada, bo, T0), True)
            await p.blocks.add(Block(cy, ada, T0))
            await p.transaction.commit()
        async with ports() as p:
            assert await p.block_reads.blocked_between(ada, [bo, cy, dee]) == {bo, cy}
            assert await p.block_reads.blocked_between(bo, [ada, cy]) == {ada}
            assert await p.block_reads.blocked_between(dee, [ada, bo, cy]) == frozenset()
            assert await p.block_reads.blocked_between(ada, []) == frozenset()
            assert await p.blocks.blocked_between(cy, [ada]) == {ada}

    async def test_blocking_twice_keeps_the_first_block(self, ports: PortsFactory) -> None:
        ada, bo = await _members(ports, 2)
        async with ports() as p, p.transaction:
            await p.blocks.add(Block(ada, bo, T0))
            again = await p.blocks.add(Block(ada, bo, T0 + timedelta(hours=1)))
            await p.transaction.commit()
        assert again == (Block(ada, bo, T0), False)
        async with ports() as p, p.transaction:
            assert await p.blocks.remove(ada, bo) is True
            assert await p.blocks.remove(ada, bo) is False
            await p.transaction.commit()
        async with ports() as p:
            assert await p.block_reads.blocked_between(ada, [bo]) == frozenset()

    async def test_blocks_page_newest_first_by_keyset(self, ports: PortsFactory) -> None:
        me, *others = await _members(ports, 6)
        async with ports() as p, p.transaction:
            for minutes, other in enumerate(others):
                await p.blocks.add(Block(me, other, T0 + timedelta(minutes=minutes % 3)))
            await p.transaction.commit()
        seen: list[Block] = []
        after = None
        async with ports() as p:
            while True:
                page = list(await p.blocks.page(me, after, 2))
                if not page:
                    break
                seen += page
                after = (page[-1].created_at, page[-1].blocked_id)
        keys = [(b.created_at, b.blocked_id) for b in seen]
        assert keys == sorted(keys, reverse=True)
        assert {b.blocked_id for b in seen} == set(others)

    async def test_a_block_goes_with_either_member(self, ports: PortsFactory) -> None:
        ada, bo = await _members(ports, 2)
        async with ports() as p, p.transaction:
            assert await p.members.exists(bo)
            assert not await p.members.exists(UserId(uuid4()))
            await p.blocks.add(Block(ada, bo, T0))
            await p.transaction.commit()

    # Reports ---------------------------------------------------------------------

    async def test_one_open_report_per_reporter_and_member(self, ports: PortsFactory) -> None:
        ada, bo = await _members(ports, 2)
        first = _report(ada, bo, ReportReason.SPAM, T0)
        async with ports() as p, p.transaction:
            await p.reports.add(first)
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            with pytest.raises(Conflict) as raised:
                await p.reports.add(_report(ada, bo, ReportReason.SCAM, T0))
        assert raised.value.code == "report_exists"
        async with ports() as p, p.transaction:
            resolved = await p.reports.resolve(
                first.id, by=None, action=ModerationAction.DISMISS, note="ok", now=T0
            )
            assert resolved is not None
            assert resolved.status is ReportStatus.RESOLVED
            assert (
                await p.reports.resolve(
                    first.id, by=None, action=ModerationAction.WARN, note="x", now=T0
                )
                is None
            )
            # Once resolved, the same reporter may report the member again.
            await p.reports.add(_report(ada, bo, ReportReason.SCAM, T0))
            await p.transaction.commit()
        async with ports() as p:
            assert await p.reports.open_reporters(bo) == {ada}
            stored = await p.reports.get(first.id)
            assert stored is not None
            assert stored.action is ModerationAction.DISMISS

    async def test_the_queue_puts_escalated_members_first_then_severity_then_age(
        self, ports: PortsFactory
    ) -> None:
        a, b, c, spammer, minor, troll = await _members(ports, 6)
        reports = [
            _report(a, troll, ReportReason.HARASSMENT, T0 + timedelta(minutes=5)),
            _report(a, minor, ReportReason.UNDERAGE, T0 + timedelta(minutes=9)),
            _report(b, troll, ReportReason.OTHER, T0 + timedelta(minutes=1)),
            *(
                _report(who, spammer, ReportReason.SPAM, T0 + timedelta(minutes=n))
                for n, who in enumerate((a, b, c))
            ),
        ]
        async with ports() as p, p.transaction:
            for report in reports:
                await p.reports.add(report)
            await p.transaction.commit()
        async with ports() as p:
            queue = list(await p.reports.queue(0, 50))
            second_page = list(await p.reports.queue(4, 50))
        order = [(q.report.reported_id, q.report.reason) for q in queue]
        assert order == [
            (spammer, ReportReason.SPAM),
            (spammer, ReportReason.SPAM),
            (spammer, ReportReason.SPAM),
            (minor, ReportReason.UNDERAGE),
            (troll, ReportReason.HARASSMENT),
            (troll, ReportReason.OTHER),
        ]
        assert [q.escalated for q in queue] == [True] * 3 + [False] * 3
        assert [q.open_reporters for q in queue] == [3, 3, 3, 1, 2, 2]
        assert [q.report.id for q in second_page] == [q.report.id for q in queue[4:]]

    async def test_a_held_message_is_queued_once_then_resolved(self, ports: PortsFactory) -> None:
        ada, bo = await _members(ports, 2)

        def held(severity: int, minutes: int) -> HeldMessage:
            return HeldMessage(
                message_id=uuid4(),
                match_id=uuid4(),
                sender_id=ada,
                recipient_id=bo,
                decision="hold",
                reasons=("harassment", "threat"),
                severity=severity,
                created_at=T0 + timedelta(minutes=minutes),
            )

        old_low, high, new_low = held(3, 0), held(4, 5), held(3, 9)
        async with ports() as p, p.transaction:
            assert await p.held_messages.add(new_low)
            assert await p.held_messages.add(old_low)
            assert await p.held_messages.add(high)
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            assert not await p.held_messages.add(dataclasses.replace(high, reasons=()))
            await p.transaction.commit()
        async with ports() as p:
            queue = list(await p.held_messages.queue(10))
            assert [h.message_id for h in await p.held_messages.queue(2)] == [
                high.message_id,
                old_low.message_id,
            ]
        assert queue == [high, old_low, new_low]
        async with ports() as p, p.transaction:
            resolved = await p.held_messages.resolve(
                high.message_id, by=bo, action=ModerationAction.WARN, note="rude", now=T0
            )
            assert resolved is not None
            assert (resolved.status, resolved.action, resolved.resolved_by) == (
                ReportStatus.RESOLVED,
                ModerationAction.WARN,
                bo,
            )
            again = await p.held_messages.resolve(
                high.message_id, by=bo, action=ModerationAction.BAN, note="x", now=T0
            )
            assert again is None
            await p.transaction.commit()
        async with ports() as p:
            assert [h.message_id for h in await p.held_messages.queue(10)] == [
                old_low.message_id,
                new_low.message_id,
            ]

    # Moderation ------------------------------------------------------------------

    async def test_suspensions_extend_lift_and_bans_revoke_sessions(
        self, ports: PortsFactory
    ) -> None:
        [member] = await _members(ports, 1)
        async with ports() as p, p.transaction:
            user = await p.users.get(member)
            assert user is not None
            p.sessions.add(a_session(user))
            p.sessions.add(a_session(user))
            await p.standing.suspend(member, T0 + timedelta(days=3), T0)
            await p.standing.suspend(member, T0 + timedelta(days=1), T0)  # never shortens
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            user = await p.users.get(member)
            assert user is not None
            assert user.status is AccountStatus.SUSPENDED
            assert await p.standing.suspended_until(member) == T0 + timedelta(days=3)
            assert await p.standing.lift_expired(T0 + timedelta(days=2)) == []
            assert await p.standing.lift_expired(T0 + timedelta(days=3)) == [member]
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            user = await p.users.get(member)
            assert user is not None
            assert user.status is AccountStatus.ACTIVE
            assert await p.standing.ban(member, T0) == 2
            await p.standing.suspend(member, T0 + timedelta(days=1), T0)  # a ban stays
            assert await p.standing.lift_expired(T0 + timedelta(days=400)) == []
            await p.transaction.commit()
        async with ports() as p:
            assert await p.sessions.list_active(member) == []
            assert await p.standing.suspended_until(member) is None
            user = await p.users.get(member)
            assert user is not None
            assert user.status is AccountStatus.SUSPENDED

    async def test_roles_are_granted_and_revoked_by_email(self, ports: PortsFactory) -> None:
        [member] = await _members(ports, 1)
        async with ports() as p, p.transaction:
            user = await p.users.get(member)
            assert user is not None
            email = user.email
            assert await p.roles.set_role(email, Role.MODERATOR, granted=True) == member
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            user = await p.users.get(member)
            assert user is not None
            assert user.roles == {Role.MEMBER, Role.MODERATOR}
            await p.roles.set_role(email, Role.MODERATOR, granted=False)
            await p.transaction.commit()
        async with ports() as p:
            user = await p.users.get(member)
            assert user is not None
            assert user.roles == {Role.MEMBER}

    async def test_the_audit_log_pages_newest_first(self, ports: PortsFactory) -> None:
        [member] = await _members(ports, 1)
        async with ports() as p, p.transaction:
            for minute in range(3):
                p.audit.append(
                    AuditEntry(
                        uuid4(),
                        None,
                        f"a{minute}",
                        member,
                        None,
                        "",
                        T0 + timedelta(minutes=minute),
                    )
                )
            await p.transaction.commit()
        async with ports() as p:
            assert [e.action for e in await p.audit.page(0, 2)] == ["a2", "a1"]
            assert [e.action for e in await p.audit.page(2, 2)] == ["a0"]

    # Check-ins -------------------------------------------------------------------

    async def _match(self, ports: PortsFactory, a: UserId, b: UserId) -> object:
        async with ports() as p, p.transaction:
            match, _ = await p.matching.create_match(uuid4(), MatchPair(a, b), T0)
            await p.transaction.commit()
        return match.id

    async def test_only_the_members_of_an_active_match_see_it(self, ports: PortsFactory) -> None:
        ada, bo, eve = await _members(ports, 3)
        match_id = await self._match(ports, ada, bo)
        async with ports() as p:
            assert await p.matches.partner(ada, match_id) == bo  # type: ignore[arg-type]
            assert await p.matches.partner(bo, match_id) == ada  # type: ignore[arg-type]
            assert await p.matches.partner(eve, match_id) is None  # type: ignore[arg-type]
            assert await p.matches.partner(ada, uuid4()) is None

    async def test_overdue_check_ins_are_claimed_once(self, ports: PortsFactory) -> None:
        ada, bo = await _members(ports, 2)
        match_id = await self._match(ports, ada, bo)
        due, later, fine = (
            _check_in(ada, match_id, T0),
            _check_in(ada, match_id, T0 + timedelta(hours=1)),
            _check_in(bo, match_id, T0),
        )
        async with ports() as p, p.transaction:
            for check_in in (due, later, fine):
                p.check_ins.add(check_in)
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            assert await p.check_ins.mark_ok(fine.id, T0) is True
            assert await p.check_ins.mark_ok(fine.id, T0) is False
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            claimed = await p.check_ins.claim_overdue(T0 + timedelta(minutes=1), 10)
            await p.transaction.commit()
        assert [c.id for c in claimed] == [due.id]
        assert claimed[0].alerted_at == T0 + timedelta(minutes=1)
        async with ports() as p, p.transaction:
            assert await p.check_ins.claim_overdue(T0 + timedelta(minutes=2), 10) == []
            current = await p.check_ins.current(ada, T0)
            assert current is not None
            assert current.id == later.id
            await p.transaction.commit()

    async def test_concurrent_sweeps_claim_each_check_in_once(self, ports: PortsFactory) -> None:
        ada, bo = await _members(ports, 2)
        match_id = await self._match(ports, ada, bo)
        check_ins = [_check_in(ada, match_id, T0 - timedelta(minutes=n)) for n in range(20)]
        async with ports() as p, p.transaction:
            for check_in in check_ins:
                p.check_ins.add(check_in)
            await p.transaction.commit()

        async def sweep() -> list[object]:
            claimed: list[object] = []
            while True:
                async with ports() as p, p.transaction:
                    batch = await p.check_ins.claim_overdue(T0, 3)
                    await p.transaction.commit()
                if not batch:
                    return claimed
                claimed += [c.id for c in batch]

        first, second = await asyncio.gather(sweep(), sweep())
        assert sorted(map(str, first + second)) == sorted(str(c.id) for c in check_ins)
        assert not set(first) & set(second)

    async def test_contacts_are_forgotten_after_their_time(self, ports: PortsFactory) -> None:
        ada, bo = await _members(ports, 2)
        match_id = await self._match(ports, ada, bo)
        old, recent = _check_in(ada, match_id, T0), _check_in(ada, match_id, T0 + timedelta(days=8))
        async with ports() as p, p.transaction:
            p.check_ins.add(old)
            p.check_ins.add(recent)
            await p.transaction.commit()
        async with ports() as p, p.transaction:
            assert await p.check_ins.forget_contacts(T0 + timedelta(days=1)) == 1
            assert await p.check_ins.forget_contacts(T0 + timedelta(days=1)) == 0
            await p.transaction.commit()
        async with ports() as p:
            gone = await p.check_ins.get(old.id)
            kept = await p.check_ins.get(recent.id)
            assert gone is not None
            assert (gone.contact_name, gone.contact_email) == (None, None)
            assert kept is not None
            assert kept.contact_email == "sam@example.org"
            assert [c.id for c in await p.check_ins.of_member(ada)] != []
