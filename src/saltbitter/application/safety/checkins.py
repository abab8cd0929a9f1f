"""Date check-ins: a trusted contact hears from us when the member does not check in by
the agreed time (a Beat sweep, exactly once), or at once when they press panic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.safety import (
    CheckIn,
    CheckInStore,
    ModerationAudit,
    SafetyMatches,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.safety.audit import record
from saltbitter.application.safety.events import CheckInOverdue, PanicRaised
from saltbitter.application.safety.views import CheckInsPage, CheckInView
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import FieldError, NotFound, ValidationFailed
from saltbitter.domain.safety import CONTACT_RETENTION, check_check_in

__all__ = [
    "SWEEP_BATCH",
    "ConfirmCheckIn",
    "ForgetCheckInContacts",
    "ListCheckIns",
    "RaisePanic",
    "ScheduleCheckIn",
    "SendCheckInAlert",
    "SweepOverdueCheckIns",
]

SWEEP_BATCH = 100


def _check_in_not_found() -> NotFound:
    return NotFound("No such check-in.", code="check_in_not_found")


@dataclass(frozen=True, slots=True)
class ScheduleCheckIn:
    """Schedule a check-in for a date with one of the caller's active matches; another
    member's match (or an ended one) is ``match_not_found``."""

    transaction: Transaction
    matches: SafetyMatches
    check_ins: CheckInStore
    audit: ModerationAudit
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self,
        principal: Principal,
        *,
        match_id: UUID,
        starts_at: datetime,
        check_in_by: datetime,
        contact_name: str,
        contact_email: str,
    ) -> CheckInView:
        now = self.clock.now()
        contact = check_check_in(
            now=now,
            starts_at=starts_at,
            check_in_by=check_in_by,
            name=contact_name,
            email=contact_email,
        )
        async with self.transaction:
            if await self.matches.partner(principal.user_id, match_id) is None:
                raise NotFound("No such match.", code="match_not_found")
            check_in = CheckIn(
                id=self.ids.new_id(),
                member_id=principal.user_id,
                match_id=match_id,
                starts_at=starts_at,
                check_in_by=check_in_by,
                contact_name=contact.name,
                contact_email=contact.email.value,
                created_at=now,
            )
            self.check_ins.add(check_in)
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=principal.user_id,
                action="check_in.scheduled",
                subject=principal.user_id,
                object_id=check_in.id,
            )
            await self.transaction.commit()
        return CheckInView.of(check_in)


@dataclass(frozen=True, slots=True)
class ConfirmCheckIn:
    """The member is fine: no alert goes out. Someone else's check-in is not found."""

    transaction: Transaction
    check_ins: CheckInStore
    audit: ModerationAudit
    clock: Clock
    ids: IdGenerator

    async def __call__(self, principal: Principal, check_in_id: UUID) -> CheckInView:
        now = self.clock.now()
        async with self.transaction:
            found = await self.check_ins.get(check_in_id)
            if found is None or found.member_id != principal.user_id:
                raise _check_in_not_found()
            await self.check_ins.mark_ok(check_in_id, now)
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=principal.user_id,
                action="check_in.ok",
                subject=principal.user_id,
                object_id=check_in_id,
            )
            await self.transaction.commit()
            updated = await self.check_ins.get(check_in_id)
        assert updated is not None
        return CheckInView.of(updated)


@dataclass(frozen=True, slots=True)
class ListCheckIns:
    check_ins: CheckInStore

    async def __call__(self, principal: Principal) -> CheckInsPage:
        found = await self.check_ins.of_member(principal.user_id)
        return CheckInsPage([CheckInView.of(c) for c in found])


@dataclass(frozen=True, slots=True)
class SweepOverdueCheckIns:
    """Beat job, every minute: claim the check-ins past their time without an ok and
    announce them; of two workers sweeping at once, each check-in is claimed by one."""

    transaction: Transaction
    check_ins: CheckInStore
    audit: ModerationAudit
    outbox: Outbox
    clock: Clock
    ids: IdGenerator

    async def __call__(self) -> int:
        async with self.transaction:
            claimed = await self.check_ins.claim_overdue(self.clock.now(), SWEEP_BATCH)
            for check_in in claimed:
                self.outbox.add(CheckInOverdue(check_in_id=check_in.id))
                record(
                    self.audit,
                    self.clock,
                    self.ids,
                    actor=None,
                    action="check_in.overdue",
                    subject=check_in.member_id,
                    object_id=check_in.id,
                )
            await self.transaction.commit()
        return len(claimed)


@dataclass(frozen=True, slots=True)
class RaisePanic:
    """Alert the contact of the caller's check-in in progress now, with the place the
    member chose to share (both coordinates or none)."""

    transaction: Transaction
    check_ins: CheckInStore
    audit: ModerationAudit
    outbox: Outbox
    clock: Clock
    ids: IdGenerator

    async def __call__(
        self, principal: Principal, latitude: float | None, longitude: float | None
    ) -> UUID:
        errors: list[FieldError] = []
        if (latitude is None) != (longitude is None):
            errors.append(FieldError("lat", "Send both lat and lon, or neither.", "incomplete"))
        if latitude is not None and not -90 <= latitude <= 90:
            errors.append(FieldError("lat", "Use -90 to 90.", "out_of_range"))
        if longitude is not None and not -180 <= longitude <= 180:
            errors.append(FieldError("lon", "Use -180 to 180.", "out_of_range"))
        if errors:
            raise ValidationFailed(errors)
        async with self.transaction:
            current = await self.check_ins.current(principal.user_id, self.clock.now())
            if current is None:
                raise NotFound(
                    "Schedule a check-in with a trusted contact first.",
                    code="no_active_check_in",
                )
            self.outbox.add(
                PanicRaised(check_in_id=current.id, latitude=latitude, longitude=longitude)
            )
            record(
                self.audit,
                self.clock,
                self.ids,
                actor=principal.user_id,
                action="check_in.panic",
                subject=principal.user_id,
                object_id=current.id,
            )
            await self.transaction.commit()
        return current.id


@dataclass(frozen=True, slots=True)
class SendCheckInAlert:
    """Job: email the contact of a check-in (overdue or panic). A check-in whose contact
    is gone (deleted after 7 days) or that was confirmed ok before an overdue alert left
    sends nothing."""

    check_ins: CheckInStore
    mailer: Mailer

    async def __call__(
        self,
        check_in_id: UUID,
        *,
        panic: bool,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> bool:
        check_in = await self.check_ins.get(check_in_id)
        if check_in is None or check_in.contact_email is None:
            return False
        if not panic and check_in.ok_at is not None:
            return False
        where = (
            f"\nThe last location they shared: {latitude:.5f}, {longitude:.5f} "
            f"(https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f})."
            if latitude is not None and longitude is not None
            else ""
        )
        if panic:
            subject = "SaltBitter safety alert: your friend asked for help"
            first = "Your friend pressed the help button during a date."
        else:
            subject = "SaltBitter safety alert: your friend did not check in"
            first = (
                "Your friend planned to check in by "
                f"{check_in.check_in_by:%Y-%m-%d %H:%M} UTC after a date and has not."
            )
        text = (
            f"Hello {check_in.contact_name},\n\n{first}{where}\n\n"
            "Please try to reach them. If you believe they are in danger, call the local "
            "emergency number.\n\nYou receive this because they named you as their trusted "
            "contact. We delete your details "
            f"{CONTACT_RETENTION.days} days after the date.\n"
        )
        await self.mailer.send(OutgoingEmail(check_in.contact_email, subject, text))
        return True


@dataclass(frozen=True, slots=True)
class ForgetCheckInContacts:
    """Beat job: delete contacts' names and addresses 7 days after the check-in time."""

    transaction: Transaction
    check_ins: CheckInStore
    audit: ModerationAudit
    clock: Clock
    ids: IdGenerator

    async def __call__(self) -> int:
        async with self.transaction:
            forgotten = await self.check_ins.forget_contacts(self.clock.now() - CONTACT_RETENTION)
            if forgotten:
                record(
                    self.audit,
                    self.clock,
                    self.ids,
                    actor=None,
                    action="check_in.contacts_deleted",
                    detail=str(forgotten),
                )
            await self.transaction.commit()
        return forgotten
