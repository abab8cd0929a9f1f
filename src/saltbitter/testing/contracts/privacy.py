"""The personal-data contract: export and erasure over every capability (ADR 0018).

Subclass :class:`PersonalDataContract` with two fixtures: ``request_scope`` (request scopes
of the production container on one empty store, with the fakes or the SQL adapters, each
a new connection; the world is seeded through the capabilities' ports and read and erased
through ``ExportMemberData`` and ``EraseMember``, each one transaction) and ``references``
(for a member, how many places in each declared store still name them, found by scanning
the store itself, not through the holders). The in-memory fakes, SQLite and PostgreSQL
run these tests.
"""

# Ports are resolved by their (abstract) protocol type, as dishka resolves them:
# mypy: disable-error-code="type-abstract"

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from saltbitter.application.payments.records import new_record
from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    SessionRepository,
    UserRepository,
)
from saltbitter.application.ports.ai import (
    AiHistoryStore,
    AiQuotaCounter,
    Conversation,
    ConversationKind,
    MessageRole,
    StoredMessage,
)
from saltbitter.application.ports.assessments import AssessmentRepository, StoredAssessment
from saltbitter.application.ports.community_events import (
    CommunityEvent,
    EventStore,
    EventTickets,
    Registration,
    RegistrationStore,
    Survey,
    SurveyStore,
)
from saltbitter.application.ports.conversations import (
    ConversationAccess,
    ConversationPeer,
    MessageReader,
    MessageWriter,
)
from saltbitter.application.ports.events import JsonScalar
from saltbitter.application.ports.matching import (
    DailySet,
    DailySetEntry,
    DailySetStore,
    DiscoverAllowance,
    MatchStore,
    SwipeWriter,
)
from saltbitter.application.ports.notifications import (
    EmailSchedule,
    Notification,
    NotificationInbox,
    ScheduledEmail,
)
from saltbitter.application.ports.payments import (
    PurchaseAccounts,
    PurchaseRecord,
    PurchaseStore,
    SubscriptionStore,
)
from saltbitter.application.ports.privacy import ErasureReport, MemberExport, PersonalDataHolders
from saltbitter.application.ports.privacy_rights import (
    BreachMembers,
    BreachRegister,
    ExportRequests,
)
from saltbitter.application.ports.profiles import PhotoRepository, ProfileRepository
from saltbitter.application.ports.safety import (
    Appeal,
    AppealStore,
    AuditEntry,
    Block,
    BlockStore,
    CheckIn,
    CheckInStore,
    HeldMessage,
    HeldMessageStore,
    MemberStanding,
    ModerationAudit,
    Report,
    ReportStore,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.privacy.members import EraseMember, ExportMemberData
from saltbitter.domain.accounts import (
    AccountStatus,
    CodePurpose,
    ConsentPurpose,
    ConsentRecord,
    OneTimeCode,
    RefreshToken,
    Session,
)
from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.domain.compatibility import ComponentScores
from saltbitter.domain.conversations import Message, ModerationDecision, PhotoAttachment
from saltbitter.domain.events import Admission, EventKind, EventStatus, RegistrationStatus
from saltbitter.domain.matching import Decision, MatchPair
from saltbitter.domain.notifications import NotificationKind
from saltbitter.domain.privacy.breaches import Breach
from saltbitter.domain.privacy.exports import DataExport, archive_key_for
from saltbitter.domain.safety import ReportReason
from saltbitter.domain.shared import DELETED_MEMBER, DELETED_MEMBER_NAME, SessionId, UserId
from saltbitter.domain.subscriptions import PurchaseItem, PurchaseStatus
from saltbitter.testing.builders import a_user
from saltbitter.testing.builders_profiles import a_photo, a_profile
from saltbitter.testing.contracts.scopes import RequestScope, Resolver

__all__ = ["PersonalDataContract", "ReferenceScan", "World", "seed_world"]

ReferenceScan = Callable[[UserId], Awaitable[Mapping[str, int]]]
DAY = date(2026, 3, 1)
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SAFETY_TABLES = dict.fromkeys(
    (
        "appeals",
        "check_ins",
        "blocks",
        "reports",
        "suspensions",
        "moderation_audit",
        "held_messages",
    ),
    0,
)
"""Safety's tables, for members without safety records."""


@dataclass(frozen=True)
class World:
    me: UserId
    other: UserId  # matched with me
    third: UserId  # liked by me, passed on me
    my_photo_key: str
    match_id: UUID


def _session(user: UserId) -> Session:
    return Session(SessionId(uuid4()), user, "phone", T0, T0)


def _notification(user: UserId, payload: Mapping[str, JsonScalar]) -> Notification:
    kind = NotificationKind.NEW_MATCH if "match_id" in payload else NotificationKind.DAILY_SET_READY
    return Notification(uuid4(), user, kind, payload, T0)


def _email(user: UserId) -> ScheduledEmail:
    return ScheduledEmail(uuid4(), user, "new_match", "Hi", "Hi Sam", T0, T0)


async def _seed_member(r: Resolver, attachment: tuple[float, float]) -> UserId:
    """A member the way the other capabilities would write one: account, profile,
    assessment and sensitive-data consent (inside the caller's transaction)."""
    user = replace(a_user(status=AccountStatus.ACTIVE), birthdate=date(1995, 5, 17))
    (await r.get(UserRepository)).add(user)
    await (await r.get(ProfileRepository)).save(a_profile(user.id))
    (await r.get(AssessmentRepository)).add(
        StoredAssessment(
            id=uuid4(),
            user_id=user.id,
            instrument="ecr-r",
            instrument_version="1",
            answers={},
            anxiety=attachment[0],
            avoidance=attachment[1],
            style=AttachmentStyle.SECURE,
            near_boundary=False,
            taken_at=T0,
        )
    )
    (await r.get(ConsentLedger)).append(
        ConsentRecord(user.id, ConsentPurpose.SENSITIVE_DATA, True, "2026-01", T0)
    )
    return user.id


def _entry(candidate: UserId, total: float) -> DailySetEntry:
    return DailySetEntry(candidate, total, ComponentScores(0.5, 0.25, 0.75, 1.0), ("shared",))


async def seed_world(request_scope: RequestScope) -> World:
    """Three members with data in every declared table, much of it naming two of them."""
    async with request_scope() as r:
        transaction = await r.get(Transaction)
        sessions, codes = await r.get(SessionRepository), await r.get(OneTimeCodeRepository)
        photos = await r.get(PhotoRepository)
        async with transaction:
            me = await _seed_member(r, attachment=(2.0, 2.0))
            other = await _seed_member(r, attachment=(3.0, 3.0))
            third = await _seed_member(r, attachment=(4.0, 1.0))
            for member in (me, other):
                session = _session(member)
                sessions.add(session)
                sessions.add_refresh_token(
                    RefreshToken(f"hash-{session.id.hex}", session.id, T0, T0 + timedelta(days=30))
                )
                await codes.put(
                    OneTimeCode(member, CodePurpose.VERIFY_EMAIL, "c" * 64, T0 + timedelta(1))
                )
            (await r.get(ConsentLedger)).append(
                ConsentRecord(me, ConsentPurpose.MARKETING, True, "v1", T0)
            )
            my_photo = a_photo(me)
            photos.add(my_photo)
            photos.add(a_photo(other))
            await transaction.commit()
    async with request_scope() as r:
        transaction = await r.get(Transaction)
        swipe_writer, daily_sets = await r.get(SwipeWriter), await r.get(DailySetStore)
        allowance = await r.get(DiscoverAllowance)
        inbox, emails = await r.get(NotificationInbox), await r.get(EmailSchedule)
        async with transaction:
            swipes = [
                (me, other, Decision.LIKE),
                (other, me, Decision.LIKE),
                (me, third, Decision.LIKE),
                (third, me, Decision.PASS),
                (third, other, Decision.LIKE),
            ]
            for actor, target, decision in swipes:
                await swipe_writer.record_swipe(actor, target, decision, T0)
            match, _ = await swipe_writer.create_match(uuid4(), MatchPair(me, other), T0)
            await daily_sets.save_daily_sets(
                [
                    DailySet(me, DAY, (_entry(other, 0.9), _entry(third, 0.8)), T0),
                    DailySet(other, DAY, (_entry(me, 0.9), _entry(third, 0.7)), T0),
                    DailySet(third, DAY, (_entry(other, 0.6),), T0),
                ]
            )
            await allowance.allot_discover(me, DAY, [other, third], 2)
            await allowance.allot_discover(other, DAY, [me, third], 2)
            match_notice = {"match_id": str(match.id), "with_user_id": str(me)}
            await inbox.add(_notification(me, {"local_date": "2026-03-01", "size": 2}))
            await inbox.add(_notification(other, match_notice))
            await inbox.add(_notification(other, {"local_date": "2026-03-01", "size": 2}))
            await emails.schedule_email(_email(me))
            await emails.schedule_email(_email(other))
            await transaction.commit()
    await _seed_ai(request_scope, me, other)
    await _seed_safety(request_scope, me, other, third, match.id)
    await _seed_messages(request_scope, me, other, match.id)
    await _seed_payments(request_scope, me, other)
    await _seed_privacy_rights(request_scope, me, other)
    await _seed_events(request_scope, me, other)
    return World(me, other, third, my_photo.storage_key, match.id)


async def _seed_messages(
    request_scope: RequestScope, me: UserId, other: UserId, match: UUID
) -> None:
    """One message each way in the match of ``me`` and ``other`` (conversations'); the
    one ``other`` sent is a photo message (its picture under ``other``'s folder)."""
    async with request_scope() as r:
        transaction, messages = await r.get(Transaction), await r.get(MessageWriter)
        async with transaction:
            for n, (sender, recipient) in enumerate(((me, other), (other, me))):
                message_id = uuid4()
                photo = (
                    PhotoAttachment(message_photo_key(other, message_id), "image/jpeg", 4, 3)
                    if sender == other
                    else None
                )
                await messages.add_once(
                    Message(
                        id=message_id,
                        match_id=match,
                        sender_id=sender,
                        recipient_id=recipient,
                        body="Hello",
                        client_message_id=f"c-{n}",
                        created_at=T0 + timedelta(minutes=n),
                        decision=ModerationDecision.ALLOW,
                        attachment=photo,
                    )
                )
            await transaction.commit()


def message_photo_key(sender: UserId, message_id: UUID) -> str:
    return f"{sender}/messages/{message_id}.jpg"


async def _seed_ai(request_scope: RequestScope, me: UserId, other: UserId) -> None:
    """A practice conversation each for me (two messages) and other (one), and a quota
    spend each."""
    async with request_scope() as r:
        transaction = await r.get(Transaction)
        history, quota = await r.get(AiHistoryStore), await r.get(AiQuotaCounter)
        async with transaction:
            for member, said in ((me, ("Hi", "Hello! I'm an AI.")), (other, ("Hey",))):
                conversation = Conversation(uuid4(), member, ConversationKind.PRACTICE, "shy", T0)
                history.start(conversation)
                for i, body in enumerate(said):
                    role = MessageRole.MEMBER if i % 2 == 0 else MessageRole.AI
                    at = T0 + timedelta(seconds=i)
                    history.add(StoredMessage(uuid4(), conversation.id, role, body, at))
                assert await quota.try_spend(member, DAY, 50) == 1
            await transaction.commit()


def _report(reporter: UserId, reported: UserId) -> Report:
    return Report(uuid4(), reporter, reported, ReportReason.SPAM, "details here", 1, T0)


async def _seed_safety(
    request_scope: RequestScope, me: UserId, other: UserId, third: UserId, match_id: UUID
) -> None:
    """My block and report, third's block and report on me, my appeal, check-in and
    suspension, an audit entry about me by other (as a moderator), and a held message
    each way between me and other."""
    async with request_scope() as r:
        transaction = await r.get(Transaction)
        blocks, reports = await r.get(BlockStore), await r.get(ReportStore)
        async with transaction:
            await blocks.add(Block(me, other, T0))
            await blocks.add(Block(third, me, T0))
            await reports.add(_report(me, third))
            on_me = _report(third, me)
            await reports.add(on_me)
            await (await r.get(AppealStore)).add(
                Appeal(uuid4(), me, on_me.id, "That was not me.", T0)
            )
            (await r.get(CheckInStore)).add(
                CheckIn(uuid4(), me, match_id, T0, T0 + timedelta(hours=2), "Sam", "s@x.org", T0)
            )
            await (await r.get(MemberStanding)).suspend(me, T0 + timedelta(days=1), T0)
            (await r.get(ModerationAudit)).append(
                AuditEntry(uuid4(), other, "report.suspend", me, on_me.id, "", T0)
            )
            held = await r.get(HeldMessageStore)
            for sender, recipient in ((me, other), (other, me)):
                await held.add(
                    HeldMessage(uuid4(), match_id, sender, recipient, "hold", ("spam",), 3, T0)
                )
            await transaction.commit()


async def _seed_payments(request_scope: RequestScope, me: UserId, other: UserId) -> None:
    """A subscription record, a purchase and a purchase account for me and for other
    (third never paid)."""
    async with request_scope() as r:
        transaction = await r.get(Transaction)
        subscriptions = await r.get(SubscriptionStore)
        purchases = await r.get(PurchaseStore)
        accounts = await r.get(PurchaseAccounts)
        async with transaction:
            for member in (me, other):
                await subscriptions.save(new_record(member, f"cus_{member.hex}", T0))
                await accounts.lock(member, T0)
                await purchases.add(
                    PurchaseRecord(
                        id=uuid4(),
                        member=member,
                        item=PurchaseItem.SUPER_LIKE_PACK,
                        quantity=1,
                        amount_cents=499,
                        currency="USD",
                        status=PurchaseStatus.SUCCEEDED,
                        intent_id=f"pi_{uuid4().hex}",
                        event_id=None,
                        created_at=T0,
                        updated_at=T0,
                    )
                )
            await transaction.commit()


async def _seed_privacy_rights(request_scope: RequestScope, me: UserId, other: UserId) -> None:
    """A ready data export each for me and other, and a breach that affected both."""
    async with request_scope() as r:
        transaction = await r.get(Transaction)
        exports, register = await r.get(ExportRequests), await r.get(BreachRegister)
        members = await r.get(BreachMembers)
        async with transaction:
            for member in (me, other):
                export_id = uuid4()
                exports.add(
                    DataExport(export_id, member, T0).ready(archive_key_for(member, export_id), T0)
                )
            breach = Breach(uuid4(), "A test breach", ("email",), T0, T0)
            register.add(breach)
            await members.add(breach.id, [me, other])
            await transaction.commit()


async def _seed_events(request_scope: RequestScope, me: UserId, other: UserId) -> None:
    """A paid event (one seat) where I hold the seat, a ticket, and rated it; other is
    waitlisted."""
    async with request_scope() as r:
        transaction = await r.get(Transaction)
        events, registrations = await r.get(EventStore), await r.get(RegistrationStore)
        async with transaction:
            event = CommunityEvent(
                uuid4(),
                EventKind.WORKSHOP,
                "Listening well",
                "",
                T0,
                90,
                1,
                1500,
                EventStatus.SCHEDULED,
                T0,
                T0,
            )
            events.add(event)
            await (await r.get(EventTickets)).grant(me, event.id, T0)
            for arrival, (member, status) in enumerate(
                ((me, RegistrationStatus.REGISTERED), (other, RegistrationStatus.WAITLISTED)),
                start=1,
            ):
                await registrations.save(
                    Registration(uuid4(), event.id, member, arrival, status, Admission.TICKET, T0)
                )
            await (await r.get(SurveyStore)).add(Survey(event.id, me, 5, "Lovely", T0))
            await transaction.commit()


def _counts(exported: Mapping[str, MemberExport]) -> dict[str, int]:
    return {table: len(rows) for tables in exported.values() for table, rows in tables.items()}


class PersonalDataContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("open request scopes of the container on one empty store")

    @pytest.fixture
    def references(self) -> ReferenceScan:
        raise NotImplementedError("provide a scan of the store for a member's id")

    async def _export(self, request_scope: RequestScope, member: UserId) -> dict[str, MemberExport]:
        async with request_scope() as r:
            return dict(await (await r.get(ExportMemberData))(member))

    async def _erase(self, request_scope: RequestScope, member: UserId) -> list[ErasureReport]:
        async with request_scope() as r:
            return list(await (await r.get(EraseMember))(member))

    async def test_export_holds_every_declared_table_in_the_members_own_view(
        self, request_scope: RequestScope
    ) -> None:
        world = await seed_world(request_scope)
        exported = await self._export(request_scope, world.me)
        assert json.loads(json.dumps(exported)) == exported  # JSON as it is, no encoder
        async with request_scope() as r:
            holders = (await r.get(PersonalDataHolders)).holders
            declared = {t.name for h in holders for t in h.declaration.tables}
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
            "ai_messages": 2,
            "ai_conversations": 1,
            "ai_quota_usage": 1,
            "appeals": 1,
            "check_ins": 1,
            "blocks": 1,  # mine, not third's block on me
            "reports": 1,  # mine, not third's report about me
            "suspensions": 1,
            "moderation_audit": 1,
            "held_messages": 1,  # one I sent, not the one other sent me
            "messages": 2,  # sent and received
            "payment_subscriptions": 1,
            "data_exports": 1,
            "breach_members": 1,
            "purchases": 1,
            "purchase_accounts": 1,
            "event_registrations": 1,
            "event_surveys": 1,
            "event_tickets": 1,
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
        self, request_scope: RequestScope, references: ReferenceScan
    ) -> None:
        world = await seed_world(request_scope)
        assert sum((await references(world.me)).values()) > 0
        before_third = _counts(await self._export(request_scope, world.third))

        reports = await self._erase(request_scope, world.me)

        assert {name: n for name, n in (await references(world.me)).items() if n} == {}
        assert _counts(await self._export(request_scope, world.me)) == dict.fromkeys(
            _counts(await self._export(request_scope, world.other)), 0
        )
        by_capability = {report.capability: report for report in reports}
        assert by_capability["profiles"].blob_keys == {"photos": (world.my_photo_key,)}
        (archive_key,) = by_capability["privacy"].blob_keys["data_exports"]
        assert archive_key.startswith(f"exports/{world.me}/")
        assert by_capability["privacy"].rows == {"data_exports": 1, "breach_members": 1}
        assert by_capability["accounts"].rows["users"] == 1
        assert by_capability["matching"].rows["swipes"] == 4
        assert by_capability["notifications"].rows["notifications"] == 2
        assert by_capability["conversations"].rows["messages"] == 2
        # I had blocked other: our conversation's history was hidden from both, so it
        # goes with the match (ADR 0035), and the picture other sent me with it.
        [picture] = by_capability["conversations"].blob_keys["messages"]
        assert picture.startswith(f"{world.other}/messages/")
        other = _counts(await self._export(request_scope, world.other))
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
            "matches": 0,  # blocked: no history to keep (ADR 0035)
            "daily_set_runs": 1,
            "daily_set_entries": 1,  # third stays in other's set, I leave it
            "discover_allotments": 1,
            "notifications": 1,
            "scheduled_emails": 1,
            "messages": 0,  # the blocked conversation went with the match
            "ai_messages": 1,
            "ai_conversations": 1,
            "ai_quota_usage": 1,
            **SAFETY_TABLES,
            "payment_subscriptions": 1,
            "data_exports": 1,
            "breach_members": 1,  # the breach still lists other (and me, anonymised)
            "purchases": 1,
            "purchase_accounts": 1,
            "event_registrations": 1,  # waitlisted (my seat went with me, unpromoted)
            "event_surveys": 0,
            "event_tickets": 0,
        }
        # Third lost only what named me: my like of them and their pass on me.
        after_third = _counts(await self._export(request_scope, world.third))
        assert before_third["swipes"] == 3
        # ... and their block of and report on me.
        assert (before_third["blocks"], before_third["reports"]) == (1, 1)
        assert after_third == {**before_third, "swipes": 1, "blocks": 0, "reports": 0}

    async def test_erasure_keeps_the_other_members_history_with_a_deleted_member(
        self, request_scope: RequestScope, references: ReferenceScan
    ) -> None:
        world = await seed_world(request_scope)
        await self._unblock(request_scope, world.me, world.other)
        my_photo_message = uuid4()
        my_picture = message_photo_key(world.me, my_photo_message)
        async with request_scope() as r:
            transaction, writer = await r.get(Transaction), await r.get(MessageWriter)
            async with transaction:
                await writer.add_once(
                    Message(
                        id=my_photo_message,
                        match_id=world.match_id,
                        sender_id=world.me,
                        recipient_id=world.other,
                        body="Me at the lake, Ada",
                        client_message_id="c-photo",
                        created_at=T0 + timedelta(minutes=5),
                        decision=ModerationDecision.WARN,
                        reasons=("contact",),
                        attachment=PhotoAttachment(my_picture, "image/jpeg", 4, 3),
                    )
                )
                await writer.add_once(
                    Message(
                        id=uuid4(),
                        match_id=world.match_id,
                        sender_id=world.me,
                        recipient_id=world.other,
                        body="held words",
                        client_message_id="c-held",
                        created_at=T0 + timedelta(minutes=6),
                        decision=ModerationDecision.HOLD,
                    )
                )
                await transaction.commit()

        reports = await self._erase(request_scope, world.me)

        assert {name: n for name, n in (await references(world.me)).items() if n} == {}
        by_capability = {report.capability: report for report in reports}
        # My pictures go (deleted after the commit); other's stays, it is theirs.
        assert by_capability["conversations"].blob_keys == {"messages": (my_picture,)}
        async with request_scope() as r:
            access, reader = await r.get(ConversationAccess), await r.get(MessageReader)
            conversation = await access.conversation(world.match_id)
            history = await reader.history(world.match_id, world.other, None, 50)
            inbox = await access.inbox(world.other)
            matches = await (await r.get(MatchStore)).active_matches(world.other, 10)
        assert conversation is not None
        assert set(conversation.members) == {DELETED_MEMBER, world.other}
        assert (conversation.is_open, conversation.history_kept) == (False, True)
        # Newest first: my photo message (no body, no picture, no reasons), other's
        # photo message intact, my first message without its body. The held one went.
        mine_photo, theirs, mine = history
        assert mine_photo.id == my_photo_message
        assert (mine_photo.sender_id, mine_photo.recipient_id) == (DELETED_MEMBER, world.other)
        assert (mine_photo.body, mine_photo.attachment, mine_photo.reasons) == ("", None, ())
        assert (theirs.sender_id, theirs.recipient_id) == (world.other, DELETED_MEMBER)
        assert theirs.body == "Hello"
        assert theirs.attachment is not None
        assert theirs.attachment.key.startswith(f"{world.other}/messages/")
        assert (mine.sender_id, mine.body) == (DELETED_MEMBER, "")
        [summary] = inbox
        assert summary.match_id == world.match_id
        assert summary.member == ConversationPeer(DELETED_MEMBER, DELETED_MEMBER_NAME)
        assert summary.last_message is not None
        assert summary.last_message.id == my_photo_message
        # It is no match any more: only the conversation's history stays.
        assert list(matches) == []

    async def _unblock(self, request_scope: RequestScope, blocker: UserId, blocked: UserId) -> None:
        async with request_scope() as r:
            transaction, blocks = await r.get(Transaction), await r.get(BlockStore)
            async with transaction:
                assert await blocks.remove(blocker, blocked)
                await transaction.commit()

    async def test_erasing_both_members_leaves_nothing_of_their_match(
        self, request_scope: RequestScope
    ) -> None:
        world = await seed_world(request_scope)
        await self._unblock(request_scope, world.me, world.other)
        await self._erase(request_scope, world.me)
        await self._erase(request_scope, world.other)
        async with request_scope() as r:
            access, reader = await r.get(ConversationAccess), await r.get(MessageReader)
            assert await access.conversation(world.match_id) is None
            assert await reader.history(world.match_id, DELETED_MEMBER, None, 50) == []

    async def test_erasing_an_unknown_member_changes_nothing(
        self, request_scope: RequestScope
    ) -> None:
        world = await seed_world(request_scope)
        before = _counts(await self._export(request_scope, world.me))
        reports = await self._erase(request_scope, UserId(uuid4()))
        assert all(n == 0 for report in reports for n in report.rows.values())
        assert _counts(await self._export(request_scope, world.me)) == before
