"""The breach workflow for operators (GDPR Art. 33 and 34), driven from the CLI.

Record a breach with its scope, data classes and affected members; watch the 72-hour
clock to the supervisory authority; record that notice; tell affected members by email,
exactly once each. Every action appends an entry to the breach log, which is never
changed. Member notices are claimed and put in the outbox in the same transaction, so a
second run (or two at once) finds nobody left to tell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.privacy_rights import (
    BreachAudience,
    BreachLog,
    BreachMembers,
    BreachRegister,
    MemberContacts,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.privacy.events import BreachNoticeDue
from saltbitter.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from saltbitter.domain.privacy.breaches import (
    Breach,
    BreachAction,
    BreachLogEntry,
    check_new_breach,
)
from saltbitter.domain.shared import UserId

__all__ = [
    "AffectedMembers",
    "BreachLogView",
    "BreachRecorded",
    "BreachStatus",
    "ListBreaches",
    "NotifyBreachMembers",
    "RecordAuthorityNotice",
    "RecordBreach",
    "SendBreachNotice",
]

Progress = Callable[[int, int], None]


def _missing(breach_id: UUID) -> NotFound:
    return NotFound(f"No breach {breach_id}.", code="breach_not_found")


@dataclass(frozen=True, slots=True)
class AffectedMembers:
    """Who a breach affects: named accounts, or a query (every member, or those who
    registered since a time). Unknown emails and ids are reported, not fatal."""

    emails: tuple[str, ...] = ()
    member_ids: tuple[UserId, ...] = ()
    all_members: bool = False
    registered_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class BreachRecorded:
    breach: Breach
    unknown_emails: tuple[str, ...]
    unknown_ids: tuple[UserId, ...]


@dataclass(frozen=True, slots=True)
class BreachStatus:
    breach: Breach
    time_left: timedelta | None


@dataclass(frozen=True, slots=True)
class RecordBreach:
    transaction: Transaction
    register: BreachRegister
    members: BreachMembers
    audience: BreachAudience
    log: BreachLog
    clock: Clock
    ids: IdGenerator

    BATCH_SIZE = 1000  # members added per statement (one transaction for the breach)

    async def __call__(
        self,
        scope: str,
        data_classes: Sequence[str],
        affected: AffectedMembers,
        *,
        actor: str,
        aware_at: datetime | None = None,
        progress: Progress | None = None,
    ) -> BreachRecorded:
        now = self.clock.now()
        aware = now if aware_at is None else aware_at
        scope, classes = check_new_breach(scope, data_classes, aware, now)
        if affected.all_members and affected.registered_since is not None:
            raise ValidationFailed(
                FieldError("members", "Choose every member or members since a time, not both.")
            )
        async with self.transaction:
            found = await self.audience.by_emails(affected.emails)
            unknown_emails = tuple(e for e in affected.emails if e.strip().lower() not in found)
            known_ids = await self.audience.existing(affected.member_ids)
            unknown_ids = tuple(m for m in affected.member_ids if m not in set(known_ids))
            chosen = [*found.values(), *known_ids]
            if affected.all_members or affected.registered_since is not None:
                chosen += await self.audience.registered_since(affected.registered_since)
            members = list(dict.fromkeys(chosen))
            breach = Breach(self.ids.new_id(), scope, classes, aware, now)
            self.register.add(breach)
            self.log.append(
                BreachLogEntry(
                    self.ids.new_id(),
                    breach.id,
                    BreachAction.RECORDED,
                    now,
                    actor,
                    {"scope": scope, "data_classes": ", ".join(classes)},
                )
            )
            added = 0
            for start in range(0, len(members), self.BATCH_SIZE):
                added += await self.members.add(breach.id, members[start : start + self.BATCH_SIZE])
                if progress is not None:
                    progress(min(start + self.BATCH_SIZE, len(members)), len(members))
            if added:
                self.log.append(
                    BreachLogEntry(
                        self.ids.new_id(),
                        breach.id,
                        BreachAction.MEMBERS_ADDED,
                        now,
                        actor,
                        {"members": added},
                    )
                )
            await self.transaction.commit()
            stored = await self.register.get(breach.id)
        assert stored is not None
        return BreachRecorded(stored, unknown_emails, unknown_ids)


@dataclass(frozen=True, slots=True)
class ListBreaches:
    register: BreachRegister
    clock: Clock

    async def __call__(self) -> list[BreachStatus]:
        now = self.clock.now()
        return [BreachStatus(b, b.time_left(now)) for b in await self.register.list_all()]


@dataclass(frozen=True, slots=True)
class RecordAuthorityNotice:
    """Record when and how the supervisory authority was told (once per breach)."""

    transaction: Transaction
    register: BreachRegister
    log: BreachLog
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self,
        breach_id: UUID,
        channel: str,
        *,
        actor: str,
        reference: str | None = None,
        at: datetime | None = None,
    ) -> Breach:
        now = self.clock.now()
        when = now if at is None else at
        if not channel.strip():
            raise ValidationFailed(FieldError("channel", "Say how the authority was told."))
        if when.tzinfo is None or when > now:
            raise ValidationFailed(FieldError("at", "A past time with a time zone."))
        async with self.transaction:
            breach = await self.register.get(breach_id)
            if breach is None:
                raise _missing(breach_id)
            if breach.authority_notified_at is not None:
                raise Conflict(
                    f"The authority was notified at {breach.authority_notified_at:%Y-%m-%d %H:%M} "
                    "UTC already.",
                    code="authority_already_notified",
                )
            await self.register.record_authority_notice(breach_id, when, channel.strip(), reference)
            details: dict[str, str | int] = {"channel": channel.strip(), "at": when.isoformat()}
            if reference:
                details["reference"] = reference
            self.log.append(
                BreachLogEntry(
                    self.ids.new_id(),
                    breach_id,
                    BreachAction.AUTHORITY_NOTIFIED,
                    now,
                    actor,
                    details,
                )
            )
            await self.transaction.commit()
            updated = await self.register.get(breach_id)
        assert updated is not None
        return updated


@dataclass(frozen=True, slots=True)
class NotifyBreachMembers:
    """Queue one email per affected member not yet told, in batches; each batch claims
    its members and adds their notices to the outbox in one transaction. Returns how
    many members this run notified (0 on a second run)."""

    transaction: Transaction
    register: BreachRegister
    members: BreachMembers
    log: BreachLog
    outbox: Outbox
    clock: Clock
    ids: IdGenerator

    BATCH_SIZE = 200

    async def __call__(
        self, breach_id: UUID, *, actor: str, progress: Progress | None = None
    ) -> int:
        if await self.register.get(breach_id) is None:
            raise _missing(breach_id)
        total = await self.members.unnotified(breach_id)
        done = 0
        if progress is not None:
            progress(0, total)
        while True:
            async with self.transaction:
                now = self.clock.now()
                claimed = await self.members.claim_unnotified(breach_id, now, self.BATCH_SIZE)
                if not claimed:
                    break
                for member in claimed:
                    self.outbox.add(BreachNoticeDue(breach_id=breach_id, user_id=member))
                self.log.append(
                    BreachLogEntry(
                        self.ids.new_id(),
                        breach_id,
                        BreachAction.MEMBERS_NOTIFIED,
                        now,
                        actor,
                        {"members": len(claimed)},
                    )
                )
                await self.transaction.commit()
            done += len(claimed)
            if progress is not None:
                progress(done, max(total, done))
        return done


@dataclass(frozen=True, slots=True)
class SendBreachNotice:
    """Job: the email to one affected member (Art. 34(2): what happened, the likely
    consequences, what we do, what they can do, whom to ask)."""

    register: BreachRegister
    contacts: MemberContacts
    mailer: Mailer

    async def __call__(self, breach_id: UUID, member: UserId) -> bool:
        breach = await self.register.get(breach_id)
        contact = await self.contacts.contact(member)
        if breach is None or contact is None:
            return False
        classes = ", ".join(breach.data_classes)
        text = (
            f"Hello {contact.display_name},\n\n"
            "We are writing to tell you about a personal data breach at SaltBitter that "
            "affects your account.\n\n"
            f"What happened: {breach.scope}\n"
            f"Which of your data: {classes}\n"
            f"When we learned of it: {breach.aware_at:%Y-%m-%d %H:%M} UTC\n\n"
            "We have contained it and reported it as the law requires. We suggest you "
            "change your SaltBitter password, and your password anywhere you used the "
            "same one, and treat unexpected messages that mention SaltBitter with care.\n\n"
            "For questions, answer this email; our data protection contact will reply.\n\n"
            "SaltBitter\n"
        )
        subject = "Important: a data breach affecting your SaltBitter account"
        await self.mailer.send(OutgoingEmail(contact.email, subject, text))
        return True


@dataclass(frozen=True, slots=True)
class BreachLogView:
    log: BreachLog

    async def __call__(self, breach_id: UUID | None = None) -> list[BreachLogEntry]:
        return await self.log.entries(breach_id)
