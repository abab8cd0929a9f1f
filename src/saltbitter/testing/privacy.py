"""In-memory personal-data holders over an ``InMemoryDatabase`` (ADR 0018).

Each follows its capability's declaration: the same tables, the same own-view export and
the same erasure as ``SqlaPersonalData``, over the fakes' state instead of rows. They act
on the request's in-memory connection (a transaction's working copy, or committed state).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from saltbitter.application.accounts.personal_data import PERSONAL_DATA as ACCOUNTS
from saltbitter.application.ai.personal_data import PERSONAL_DATA as AI
from saltbitter.application.assessments.personal_data import PERSONAL_DATA as ASSESSMENTS
from saltbitter.application.conversations.personal_data import PERSONAL_DATA as CONVERSATIONS
from saltbitter.application.events.personal_data import PERSONAL_DATA as EVENTS
from saltbitter.application.matching.personal_data import PERSONAL_DATA as MATCHING
from saltbitter.application.notifications.personal_data import PERSONAL_DATA as NOTIFICATIONS
from saltbitter.application.payments.personal_data import PERSONAL_DATA as PAYMENTS
from saltbitter.application.ports.privacy import (
    ErasureReport,
    ExportedRow,
    MemberExport,
    PersonalData,
    PersonalDataHolder,
)
from saltbitter.application.privacy.personal_data import PERSONAL_DATA as PRIVACY
from saltbitter.application.profiles.personal_data import PERSONAL_DATA as PROFILES
from saltbitter.application.safety.personal_data import PERSONAL_DATA as SAFETY
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.shared import DELETED_MEMBER, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_ai import AiState
from saltbitter.testing.fakes_assessments import AssessmentsState
from saltbitter.testing.fakes_conversations import ConversationsState
from saltbitter.testing.fakes_events import EventsState
from saltbitter.testing.fakes_matching import MatchingState
from saltbitter.testing.fakes_notifications import NotificationsState
from saltbitter.testing.fakes_payments import PaymentsState
from saltbitter.testing.fakes_privacy_rights import PrivacyRightsState
from saltbitter.testing.fakes_profiles import ProfilesState
from saltbitter.testing.fakes_safety import SafetyState
from saltbitter.testing.memory import InMemoryConnection

__all__ = [
    "InMemoryAccountsPersonalData",
    "InMemoryAiPersonalData",
    "InMemoryAssessmentsPersonalData",
    "InMemoryConversationsPersonalData",
    "InMemoryEventsPersonalData",
    "InMemoryMatchingPersonalData",
    "InMemoryNotificationsPersonalData",
    "InMemoryPrivacyPersonalData",
    "InMemoryProfilesPersonalData",
    "InMemorySafetyPersonalData",
    "in_memory_holders",
    "plain",
]


def plain(value: object) -> object:
    """A fake's record as JSON-able data, the way its row would be exported."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, UUID):
        # An erased member is null in SQL (ADR 0035).
        return None if value == DELETED_MEMBER else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [plain(item) for item in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _row(record: object, *, withheld: Iterable[str] = ()) -> ExportedRow:
    row = plain(record)
    assert isinstance(row, dict)
    for name in withheld:
        row.pop(name, None)
    return row


class _Holder(PersonalDataHolder):
    declaration_value: PersonalData

    def __init__(self, connection: InMemoryConnection) -> None:
        self._connection = connection

    @property
    def declaration(self) -> PersonalData:
        return self.declaration_value

    def _report(
        self, rows: Mapping[str, int], blob_keys: Mapping[str, Iterable[str]] | None = None
    ) -> ErasureReport:
        """``blob_keys``: the erased keys per table (tables without any are left out)."""
        keys = {table: tuple(sorted(found)) for table, found in (blob_keys or {}).items()}
        return ErasureReport(
            self.declaration_value.capability,
            dict(rows),
            {table: found for table, found in keys.items() if found},
        )


class InMemoryAccountsPersonalData(_Holder):
    declaration_value = ACCOUNTS

    async def export(self, member: UserId) -> MemberExport:
        db = self._connection.state(AccountsState)
        sessions = [s for s in db.sessions.values() if s.user_id == member]
        session_ids = {s.id for s in sessions}
        user = db.users.get(member)
        return {
            "refresh_tokens": [
                _row(t, withheld=("token_hash",))
                for t in db.refresh_tokens.values()
                if t.session_id in session_ids
            ],
            "sessions": [_row(s) for s in sessions],
            "one_time_codes": [
                _row(c, withheld=("code_hash",)) for key, c in db.codes.items() if key[0] == member
            ],
            "consents": [_row(c) for c in db.consents if c.user_id == member],
            "users": [] if user is None else [_row(user, withheld=("password_hash",))],
        }

    async def erase(self, member: UserId) -> ErasureReport:
        db = self._connection.state(AccountsState)
        sessions = {sid for sid, s in db.sessions.items() if s.user_id == member}
        tokens = {h for h, t in db.refresh_tokens.items() if t.session_id in sessions}
        codes = {key for key in db.codes if key[0] == member}
        consents = [c for c in db.consents if c.user_id == member]
        for token in tokens:
            del db.refresh_tokens[token]
        for sid in sessions:
            del db.sessions[sid]
        for key in codes:
            del db.codes[key]
        db.consents = [c for c in db.consents if c.user_id != member]
        users = 1 if db.users.pop(member, None) is not None else 0
        return self._report(
            {
                "refresh_tokens": len(tokens),
                "sessions": len(sessions),
                "one_time_codes": len(codes),
                "consents": len(consents),
                "users": users,
            }
        )


class InMemoryProfilesPersonalData(_Holder):
    declaration_value = PROFILES

    async def export(self, member: UserId) -> MemberExport:
        state = self._connection.state(ProfilesState)
        profile = state.profiles.get(member)
        photos = sorted(
            (p for p in state.photos.values() if p.user_id == member), key=lambda p: p.id
        )
        return {
            "profiles": [] if profile is None else [_row(profile)],
            "photos": [_row(p) for p in photos],
        }

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(ProfilesState)
        photos = [p for p in state.photos.values() if p.user_id == member]
        for photo in photos:
            del state.photos[photo.id]
        profiles = 1 if state.profiles.pop(member, None) is not None else 0
        return self._report(
            {"profiles": profiles, "photos": len(photos)},
            {"photos": (p.storage_key for p in photos)},
        )


class InMemoryAssessmentsPersonalData(_Holder):
    declaration_value = ASSESSMENTS

    async def export(self, member: UserId) -> MemberExport:
        records = self._connection.state(AssessmentsState).records
        return {"assessments": [_row(r) for r in records if r.user_id == member]}

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(AssessmentsState)
        kept = [r for r in state.records if r.user_id != member]
        erased, state.records = len(state.records) - len(kept), kept
        return self._report({"assessments": erased})


class InMemoryMatchingPersonalData(_Holder):
    declaration_value = MATCHING

    async def export(self, member: UserId) -> MemberExport:
        state = self._connection.state(MatchingState)
        swipes = [
            {
                "actor_id": str(actor),
                "target_id": str(target),
                "decision": decision.value,
                "created_at": at.isoformat(),
            }
            for (actor, target), (decision, at) in state.swipes.items()
            if actor == member or (target == member and decision.value == "like")
        ]
        runs = [s for (user, _), s in sorted(state.daily_sets.items()) if user == member]
        return {
            "swipes": swipes,
            "matches": [
                _row(m)
                for m in state.matches.values()
                if member in m.pair or m.unmatched_by == member
            ],
            "daily_set_runs": [
                {
                    "user_id": str(s.user_id),
                    "local_date": s.local_date.isoformat(),
                    "size": s.size,
                    "created_at": s.created_at.isoformat(),
                }
                for s in runs
            ],
            "daily_set_entries": [
                {
                    "user_id": str(s.user_id),
                    "local_date": s.local_date.isoformat(),
                    "position": position,
                    **_row(entry),
                }
                for s in runs
                for position, entry in enumerate(s.entries)
            ],
            "discover_allotments": [
                {"user_id": str(user), "local_date": day.isoformat(), "candidate_id": str(c)}
                for (user, day), offered in sorted(state.discover_allotments.items())
                if user == member
                for c in offered
            ],
        }

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(MatchingState)
        swipes = [pair for pair in state.swipes if member in pair]
        for pair in swipes:
            del state.swipes[pair]
        # Open matches keep the other member's side (ADR 0035); closed ones and those
        # left naming nobody go, with their messages (the SQL foreign key cascades).
        matches = [
            mid for mid, m in state.matches.items() if member in m.pair or m.unmatched_by == member
        ]
        conversations = self._connection.state(ConversationsState)
        for mid in matches:
            match = state.matches[mid]
            other = match.pair.other(member) if member in match.pair else None
            blocked = {(member, other), (other, member)} & set(
                self._connection.state(SafetyState).blocks
            )
            if match.active and other is not None and other != DELETED_MEMBER and not blocked:
                state.matches[mid] = dataclasses.replace(
                    match, pair=MatchPair(DELETED_MEMBER, other)
                )
                continue
            del state.matches[mid]
            for message in [m for m in conversations.messages.values() if m.match_id == mid]:
                del conversations.messages[message.id]
        runs = entries = 0
        for key, daily in list(state.daily_sets.items()):
            if key[0] == member:
                runs += 1
                entries += daily.size
                del state.daily_sets[key]
                continue
            kept = tuple(e for e in daily.entries if e.candidate_id != member)
            entries += daily.size - len(kept)
            # The run keeps its original size, as the SQL row does.
            state.daily_sets[key] = dataclasses.replace(daily, entries=kept)
        allotments = 0
        for key, offered in list(state.discover_allotments.items()):
            if key[0] == member:
                allotments += len(offered)
                del state.discover_allotments[key]
            elif member in offered:
                allotments += offered.count(member)
                state.discover_allotments[key] = [c for c in offered if c != member]
        return self._report(
            {
                "swipes": len(swipes),
                "matches": len(matches),
                "daily_set_runs": runs,
                "daily_set_entries": entries,
                "discover_allotments": allotments,
            }
        )


class InMemoryNotificationsPersonalData(_Holder):
    declaration_value = NOTIFICATIONS

    async def export(self, member: UserId) -> MemberExport:
        state = self._connection.state(NotificationsState)
        return {
            "notifications": [
                _row(n)
                for n in sorted(state.notifications.values(), key=lambda n: n.id)
                if n.user_id == member
            ],
            "scheduled_emails": [
                _row(e)
                for e in sorted(state.emails.values(), key=lambda e: e.id)
                if e.user_id == member
            ],
        }

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(NotificationsState)
        keys = NOTIFICATIONS.table("notifications").json_member_keys["payload"]

        def names(notification_user: UserId, payload: Mapping[str, object]) -> bool:
            return notification_user == member or any(
                payload.get(key) == str(member) for key in keys
            )

        notifications = [
            nid for nid, n in state.notifications.items() if names(n.user_id, n.payload)
        ]
        for nid in notifications:
            del state.notifications[nid]
        emails = [eid for eid, e in state.emails.items() if e.user_id == member]
        for eid in emails:
            del state.emails[eid]
        return self._report({"notifications": len(notifications), "scheduled_emails": len(emails)})


class InMemoryConversationsPersonalData(_Holder):
    declaration_value = CONVERSATIONS

    async def export(self, member: UserId) -> MemberExport:
        state = self._connection.state(ConversationsState)
        return {
            "messages": [
                _row(m)
                for m in sorted(state.messages.values(), key=lambda m: (m.created_at, m.id))
                if member in (m.sender_id, m.recipient_id)
            ]
        }

    async def erase(self, member: UserId) -> ErasureReport:
        # As the declaration says (ADR 0035): held and blocked messages go; a delivered
        # message the member sent stays without body or picture, one they received
        # stays the other member's; a message left naming nobody goes.
        state = self._connection.state(ConversationsState)
        touched = 0
        pictures: list[str] = []
        for message in [
            m for m in state.messages.values() if member in (m.sender_id, m.recipient_id)
        ]:
            blocks = self._connection.state(SafetyState).blocks
            pair = (message.sender_id, message.recipient_id)
            if not message.decision.delivers or pair in blocks or pair[::-1] in blocks:
                touched += 1
                del state.messages[message.id]
                if message.attachment is not None:
                    pictures.append(message.attachment.key)
                continue
            kept = message
            if message.sender_id == member:
                touched += 1
                if message.attachment is not None:
                    pictures.append(message.attachment.key)
                kept = dataclasses.replace(
                    kept, sender_id=DELETED_MEMBER, body="", reasons=(), attachment=None
                )
            if message.recipient_id == member:
                touched += 1
                kept = dataclasses.replace(kept, recipient_id=DELETED_MEMBER)
            if kept.sender_id == kept.recipient_id == DELETED_MEMBER:
                del state.messages[message.id]
            else:
                state.messages[message.id] = kept
        return self._report({"messages": touched}, {"messages": pictures})


class InMemoryAiPersonalData(_Holder):
    declaration_value = AI

    async def export(self, member: UserId) -> MemberExport:
        state = self._connection.state(AiState)
        mine = sorted(
            (c for c in state.conversations.values() if c.user_id == member), key=lambda c: c.id
        )
        ids = {c.id for c in mine}
        return {
            "ai_messages": [
                _row(m)
                for m in sorted(state.messages, key=lambda m: m.id)
                if m.conversation_id in ids
            ],
            "ai_conversations": [_row(c) for c in mine],
            "ai_quota_usage": [
                {"user_id": str(user), "day": day.isoformat(), "used": used}
                for (user, day), used in sorted(state.quota.items(), key=lambda item: item[0][1])
                if user == member
            ],
        }

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(AiState)
        ids = {cid for cid, c in state.conversations.items() if c.user_id == member}
        messages = [m for m in state.messages if m.conversation_id in ids]
        state.messages = [m for m in state.messages if m.conversation_id not in ids]
        for cid in ids:
            del state.conversations[cid]
        quota = [key for key in state.quota if key[0] == member]
        for key in quota:
            del state.quota[key]
        return self._report(
            {
                "ai_messages": len(messages),
                "ai_conversations": len(ids),
                "ai_quota_usage": len(quota),
            }
        )


# Safety's records by table, with their fields standing for the declared member columns.
_SAFETY_FIELDS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "appeals": ("appeals", {"member_id": "member_id", "resolved_by": "resolved_by"}),
    "check_ins": ("check_ins", {"member_id": "member_id"}),
    "blocks": ("blocks", {"blocker_id": "blocker_id", "blocked_id": "blocked_id"}),
    "reports": (
        "reports",
        {"reporter_id": "reporter_id", "reported_id": "reported_id", "resolved_by": "resolved_by"},
    ),
    "moderation_audit": ("audit", {"actor_id": "actor_id", "subject_id": "subject_id"}),
    "held_messages": (
        "held_messages",
        {"sender_id": "sender_id", "recipient_id": "recipient_id", "resolved_by": "resolved_by"},
    ),
}


class InMemorySafetyPersonalData(_Holder):
    declaration_value = SAFETY

    def _records(self, table: str) -> list[object]:
        state = self._connection.state(SafetyState)
        if table == "suspensions":
            return [
                {"member_id": member, "until": until} for member, until in state.suspensions.items()
            ]
        held = getattr(state, _SAFETY_FIELDS[table][0])
        return list(held.values() if isinstance(held, dict) else held)

    @staticmethod
    def _names(record: object, columns: Iterable[str], member: UserId) -> bool:
        if isinstance(record, dict):
            return any(record.get(column) == member for column in columns)
        return any(getattr(record, column) == member for column in columns)

    async def export(self, member: UserId) -> MemberExport:
        exported: dict[str, list[ExportedRow]] = {}
        for table in SAFETY.tables:
            records = self._records(table.name)
            exported[table.name] = [
                _row(r) for r in records if self._names(r, table.exporting_columns, member)
            ]
        return exported

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(SafetyState)
        rows: dict[str, int] = {}
        for table in SAFETY.tables:
            columns = table.member_columns
            if table.name == "suspensions":
                rows[table.name] = int(member in state.suspensions)
                state.suspensions.pop(member, None)
                continue
            attribute = _SAFETY_FIELDS[table.name][0]
            held = getattr(state, attribute)
            if isinstance(held, dict):
                doomed = [k for k, r in held.items() if self._names(r, columns, member)]
                for key in doomed:
                    del held[key]
                rows[table.name] = len(doomed)
            else:
                kept = [r for r in held if not self._names(r, columns, member)]
                rows[table.name] = len(held) - len(kept)
                setattr(state, attribute, kept)
        # Appeals on reports that went with the member go too (the foreign key cascades).
        orphaned = [k for k, a in state.appeals.items() if a.report_id not in state.reports]
        for key in orphaned:
            del state.appeals[key]
        rows["appeals"] += len(orphaned)
        return self._report(rows)


class InMemoryPaymentsPersonalData(_Holder):
    """Payment records stay; erasure moves them to the anonymised rows (no member)."""

    declaration_value = PAYMENTS

    async def export(self, member: UserId) -> MemberExport:
        state = self._connection.state(PaymentsState)
        rows = [_row(r) for r in state.subscriptions.values() if r.member == member]
        bought = [_row(p) for p in state.purchases.values() if p.member == member]
        account = state.purchase_accounts.get(member)
        return {
            "payment_subscriptions": rows,
            "purchases": bought,
            "purchase_accounts": [_row(account)] if account is not None else [],
        }

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(PaymentsState)
        mine = [key for key, r in state.subscriptions.items() if r.member == member]
        for key in mine:
            record = dataclasses.asdict(state.subscriptions.pop(key))
            state.anonymised[key] = {k: v for k, v in record.items() if k != "member"}
        bought = [key for key, p in state.purchases.items() if p.member == member]
        for purchase_id in bought:
            kept = dataclasses.asdict(state.purchases.pop(purchase_id))
            state.anonymised_purchases[purchase_id] = {
                k: v for k, v in kept.items() if k != "member"
            }
        account = state.purchase_accounts.pop(member, None)
        return self._report(
            {
                "payment_subscriptions": len(mine),
                "purchases": len(bought),
                "purchase_accounts": int(account is not None),
            }
        )


class InMemoryPrivacyPersonalData(_Holder):
    declaration_value = PRIVACY

    async def export(self, member: UserId) -> MemberExport:
        state = self._connection.state(PrivacyRightsState)
        exports = sorted(
            (e for e in state.exports.values() if e.member_id == member), key=lambda e: e.id
        )
        return {
            "data_exports": [_row(e) for e in exports],
            "breach_members": [_row(m) for m in state.breach_members if m.member_id == member],
        }

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(PrivacyRightsState)
        exports = [e for e in state.exports.values() if e.member_id == member]
        for export in exports:
            del state.exports[export.id]
        named = [m for m in state.breach_members if m.member_id == member]
        for row in named:
            row.member_id = None
        return self._report(
            {"data_exports": len(exports), "breach_members": len(named)},
            {"data_exports": (e.archive_key for e in exports if e.archive_key is not None)},
        )


class InMemoryEventsPersonalData(_Holder):
    """Registrations, surveys and tickets are keyed by (event, member)."""

    declaration_value = EVENTS

    def _tables(self) -> dict[str, dict[tuple[UUID, UserId], object]]:
        state = self._connection.state(EventsState)
        tickets = {
            key: {"event_id": key[0], "member_id": key[1], "granted_at": at}
            for key, at in state.tickets.items()
        }
        return {
            "event_surveys": dict(state.surveys),
            "event_registrations": dict(state.registrations),
            "event_tickets": dict(tickets),
        }

    async def export(self, member: UserId) -> MemberExport:
        return {
            name: [_row(r) for (_, m), r in sorted(rows.items(), key=str) if m == member]
            for name, rows in self._tables().items()
        }

    async def erase(self, member: UserId) -> ErasureReport:
        state = self._connection.state(EventsState)
        held: dict[str, dict[tuple[UUID, UserId], Any]] = {
            "event_surveys": state.surveys,
            "event_registrations": state.registrations,
            "event_tickets": state.tickets,
        }
        rows: dict[str, int] = {}
        for name, table in held.items():
            doomed = [key for key in table if key[1] == member]
            for key in doomed:
                del table[key]
            rows[name] = len(doomed)
        return self._report(rows)


_HOLDERS: Mapping[str, Callable[[InMemoryConnection], PersonalDataHolder]] = {
    holder.declaration_value.capability: holder
    for holder in (
        InMemoryAccountsPersonalData,
        InMemoryProfilesPersonalData,
        InMemoryAssessmentsPersonalData,
        InMemoryMatchingPersonalData,
        InMemoryNotificationsPersonalData,
        InMemoryConversationsPersonalData,
        InMemoryAiPersonalData,
        InMemorySafetyPersonalData,
        InMemoryPaymentsPersonalData,
        InMemoryPrivacyPersonalData,
        InMemoryEventsPersonalData,
    )
}


def in_memory_holders(
    connection: InMemoryConnection, declarations: Sequence[PersonalData]
) -> list[PersonalDataHolder]:
    """The in-memory holder of each declaration, in the registry's order."""
    return [_HOLDERS[declaration.capability](connection) for declaration in declarations]
