"""The personal-data contract: export and erasure over every capability (ADR 0018).

Subclass :class:`PersonalDataContract` with three fixtures: ``uow_factory`` (units of work
on one empty store), ``holders`` (an async context manager giving the registry's holders
over one transaction, committed on exit) and ``references`` (for a member, how many places
in each declared store still name them, found by scanning the store itself, not through
the holders). The in-memory fakes, SQLite and PostgreSQL run these tests.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.payments.records import new_record
from saltbitter.application.ports.events import JsonScalar
from saltbitter.application.ports.matching import DailySet
from saltbitter.application.ports.notifications import Notification, ScheduledEmail
from saltbitter.application.ports.privacy import MemberExport, PersonalDataHolder
from saltbitter.application.privacy.members import EraseMember, ExportMemberData
from saltbitter.domain.accounts import (
    CodePurpose,
    ConsentPurpose,
    ConsentRecord,
    OneTimeCode,
    RefreshToken,
    Session,
)
from saltbitter.domain.matching import Decision, MatchPair
from saltbitter.domain.notifications import NotificationKind
from saltbitter.domain.shared import SessionId, UserId
from saltbitter.testing.builders_profiles import a_photo
from saltbitter.testing.contracts.matching import T0, UowFactory, _entry, seed_member

__all__ = ["HolderSession", "PersonalDataContract", "ReferenceScan", "World", "seed_world"]

HolderSession = Callable[[], AbstractAsyncContextManager[Sequence[PersonalDataHolder]]]
ReferenceScan = Callable[[UserId], Awaitable[Mapping[str, int]]]
DAY = date(2026, 3, 1)


@dataclass(frozen=True)
class World:
    me: UserId
    other: UserId  # matched with me
    third: UserId  # liked by me, passed on me
    my_photo_key: str


def _session(user: UserId) -> Session:
    return Session(SessionId(uuid4()), user, "phone", T0, T0)


def _notification(user: UserId, payload: Mapping[str, JsonScalar]) -> Notification:
    kind = NotificationKind.NEW_MATCH if "match_id" in payload else NotificationKind.DAILY_SET_READY
    return Notification(uuid4(), user, kind, payload, T0)


def _email(user: UserId) -> ScheduledEmail:
    return ScheduledEmail(uuid4(), user, "new_match", "Hi", "Hi Sam", T0, T0)


async def seed_world(uow_factory: UowFactory) -> World:
    """Three members with data in every declared table, much of it naming two of them."""
    async with uow_factory() as uow:
        me = await seed_member(uow, attachment=(2.0, 2.0))
        other = await seed_member(uow, attachment=(3.0, 3.0))
        third = await seed_member(uow, attachment=(4.0, 1.0))
        for member in (me, other):
            session = _session(member)
            uow.sessions.add(session)
            uow.sessions.add_refresh_token(
                RefreshToken(f"hash-{session.id.hex}", session.id, T0, T0 + timedelta(days=30))
            )
            await uow.codes.put(
                OneTimeCode(member, CodePurpose.VERIFY_EMAIL, "c" * 64, T0 + timedelta(1))
            )
        uow.consents.append(ConsentRecord(me, ConsentPurpose.MARKETING, True, "v1", T0))
        my_photo = a_photo(me)
        uow.photos.add(my_photo)
        uow.photos.add(a_photo(other))
        await uow.commit()
    async with uow_factory() as uow:
        swipes = [
            (me, other, Decision.LIKE),
            (other, me, Decision.LIKE),
            (me, third, Decision.LIKE),
            (third, me, Decision.PASS),
            (third, other, Decision.LIKE),
        ]
        for actor, target, decision in swipes:
            await uow.matching.record_swipe(actor, target, decision, T0)
        match, _ = await uow.matching.create_match(uuid4(), MatchPair(me, other), T0)
        await uow.matching.save_daily_sets(
            [
                DailySet(me, DAY, (_entry(other, 0.9), _entry(third, 0.8)), T0),
                DailySet(other, DAY, (_entry(me, 0.9), _entry(third, 0.7)), T0),
                DailySet(third, DAY, (_entry(other, 0.6),), T0),
            ]
        )
        await uow.matching.allot_discover(me, DAY, [other, third], 2)
        await uow.matching.allot_discover(other, DAY, [me, third], 2)
        match_notice = {"match_id": str(match.id), "with_user_id": str(me)}
        await uow.notifications.add(_notification(me, {"local_date": "2026-03-01", "size": 2}))
        await uow.notifications.add(_notification(other, match_notice))
        await uow.notifications.add(_notification(other, {"local_date": "2026-03-01", "size": 2}))
        await uow.notifications.schedule_email(_email(me))
        await uow.notifications.schedule_email(_email(other))
        for member in (me, other):
            record = new_record(member, f"cus_{member.hex}", T0)
            await uow.payments.save(record)
        await uow.commit()
    return World(me, other, third, my_photo.storage_key)


def _counts(exported: Mapping[str, MemberExport]) -> dict[str, int]:
    return {table: len(rows) for tables in exported.values() for table, rows in tables.items()}


class PersonalDataContract:
    @pytest.fixture
    def uow_factory(self) -> UowFactory:
        raise NotImplementedError("provide a factory of units of work on one empty store")

    @pytest.fixture
    def holders(self) -> HolderSession:
        raise NotImplementedError("provide the registry's holders over one transaction")

    @pytest.fixture
    def references(self) -> ReferenceScan:
        raise NotImplementedError("provide a scan of the store for a member's id")

    async def _export(self, holders: HolderSession, member: UserId) -> dict[str, MemberExport]:
        async with holders() as session:
            return dict(await ExportMemberData(session)(member))

    async def test_export_holds_every_declared_table_in_the_members_own_view(
        self, uow_factory: UowFactory, holders: HolderSession
    ) -> None:
        world = await seed_world(uow_factory)
        exported = await self._export(holders, world.me)
        assert json.loads(json.dumps(exported)) == exported  # JSON as it is, no encoder
        async with holders() as session:
            declared = {t.name for h in session for t in h.declaration.tables}
        counts = _counts(exported)
        assert set(counts) == declared
        assert counts == {
            "users": 1,
            "sessions": 1,
            "refresh_tokens": 1,
            "one_time_codes": 1,
            "consents": 2,
            "profiles": 1,
            "photos": 1,
            "assessments": 1,
            # given: two likes; received: other's like (third's pass stays third's secret)
            "swipes": 3,
            "matches": 1,
            "daily_set_runs": 1,
            "daily_set_entries": 2,  # my own set only, not my place in other's
            "discover_allotments": 2,
            "notifications": 1,  # other's notice about our match is other's
            "scheduled_emails": 1,
            "payment_subscriptions": 1,
        }
        accounts = exported["accounts"]
        assert "password_hash" not in accounts["users"][0]
        assert "code_hash" not in accounts["one_time_codes"][0]
        assert "token_hash" not in accounts["refresh_tokens"][0]
        swipes = exported["matching"]["swipes"]
        assert {(s["actor_id"], s["target_id"]) for s in swipes} == {
            (str(world.me), str(world.other)),
            (str(world.other), str(world.me)),
            (str(world.me), str(world.third)),
        }
        assert exported["profiles"]["photos"][0]["storage_key"] == world.my_photo_key

    async def test_erase_leaves_no_reference_and_keeps_other_members_data(
        self, uow_factory: UowFactory, holders: HolderSession, references: ReferenceScan
    ) -> None:
        world = await seed_world(uow_factory)
        assert sum((await references(world.me)).values()) > 0
        before_third = _counts(await self._export(holders, world.third))

        async with holders() as session:
            reports = await EraseMember(session)(world.me)

        assert {name: n for name, n in (await references(world.me)).items() if n} == {}
        assert _counts(await self._export(holders, world.me)) == dict.fromkeys(
            _counts(await self._export(holders, world.other)), 0
        )
        by_capability = {report.capability: report for report in reports}
        assert by_capability["profiles"].blob_keys == (world.my_photo_key,)
        assert by_capability["accounts"].rows["users"] == 1
        assert by_capability["matching"].rows["swipes"] == 4
        assert by_capability["notifications"].rows["notifications"] == 2
        other = _counts(await self._export(holders, world.other))
        assert other == {
            "users": 1,
            "sessions": 1,
            "refresh_tokens": 1,
            "one_time_codes": 1,
            "consents": 1,
            "profiles": 1,
            "photos": 1,
            "assessments": 1,
            "swipes": 1,  # third's like survives
            "matches": 0,
            "daily_set_runs": 1,
            "daily_set_entries": 1,  # third stays in other's set, I leave it
            "discover_allotments": 1,
            "notifications": 1,
            "scheduled_emails": 1,
            "payment_subscriptions": 1,
        }
        # Third lost only what named me: my like of them and their pass on me.
        after_third = _counts(await self._export(holders, world.third))
        assert before_third["swipes"] == 3
        assert after_third == {**before_third, "swipes": 1}

    async def test_erasing_an_unknown_member_changes_nothing(
        self, uow_factory: UowFactory, holders: HolderSession
    ) -> None:
        world = await seed_world(uow_factory)
        before = _counts(await self._export(holders, world.me))
        async with holders() as session:
            reports = await EraseMember(session)(UserId(uuid4()))
        assert all(n == 0 for report in reports for n in report.rows.values())
        assert _counts(await self._export(holders, world.me)) == before
