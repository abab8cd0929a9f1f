"""What members do with events: browse, register (or join the waitlist), cancel, and
rate an event they attended."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.events.admin import event_not_found, promote
from saltbitter.application.events.views import (
    EventsPage,
    EventView,
    MyRegistration,
    RegistrationView,
    SurveyView,
    position_in,
)
from saltbitter.application.ports.community_events import (
    EventMembers,
    EventStore,
    EventTickets,
    Registration,
    RegistrationStore,
    Survey,
    SurveyStore,
)
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.cursors import decode_time, encode_time
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, NotFound, PermissionDenied
from saltbitter.domain.events import (
    EventStatus,
    RegistrationStatus,
    admission_for,
    check_survey,
    month_start,
    place,
)
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import entitlements_for

__all__ = [
    "PAGE_SIZE",
    "CancelRegistration",
    "ListEvents",
    "Register",
    "ShowEvent",
    "SubmitSurvey",
]

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class ListEvents:
    """Upcoming scheduled events, soonest first, a page at a time."""

    events: EventStore
    registrations: RegistrationStore
    clock: Clock

    async def __call__(self, principal: Principal, cursor: str | None = None) -> EventsPage:
        del principal  # every member sees the same list
        after = None if cursor is None else decode_time(cursor)
        found = list(await self.events.upcoming(self.clock.now(), after, PAGE_SIZE + 1))
        more = len(found) > PAGE_SIZE
        page = found[:PAGE_SIZE]
        counts = await self.registrations.counts_of([e.id for e in page])
        items = [EventView.of(e, counts[e.id]) for e in page]
        last = page[-1] if more else None
        return EventsPage(items, None if last is None else encode_time(last.starts_at, last.id))


@dataclass(frozen=True, slots=True)
class ShowEvent:
    """One event, with the caller's own registration (if any)."""

    events: EventStore
    registrations: RegistrationStore

    async def __call__(self, principal: Principal, event_id: UUID) -> EventView:
        event = await self.events.get(event_id)
        if event is None:
            raise event_not_found()
        mine = await self.registrations.get(event_id, principal.user_id)
        view = None
        if mine is not None and mine.status is not RegistrationStatus.CANCELLED:
            view = MyRegistration(
                status=mine.status,
                admission=mine.admission,
                waitlist_position=position_in(await self.registrations.waitlist(event_id), mine),
                attended=mine.attended_at is not None,
            )
        return EventView.of(event, await self.registrations.counts(event_id), view)


@dataclass(frozen=True, slots=True)
class Register:
    """Take a seat, or the next place on the waitlist when the seats are gone.

    The event row is locked for the transaction, so registrations on one event run one
    after another: the seats are never oversold and the waitlist keeps arrival order. A
    paid event needs a bought ticket or the tier's monthly allowance (read from the
    account now, so a downgrade counts at once); without either it is
    ``ticket_required``."""

    transaction: Transaction
    events: EventStore
    registrations: RegistrationStore
    tickets: EventTickets
    members: EventMembers
    clock: Clock
    ids: IdGenerator

    async def __call__(self, principal: Principal, event_id: UUID) -> RegistrationView:
        member = principal.user_id
        now = self.clock.now()
        async with self.transaction:
            event = await self.events.lock(event_id)
            if event is None:
                raise event_not_found()
            if event.status is EventStatus.CANCELLED:
                raise Conflict("The event was cancelled.", code="event_cancelled")
            if event.starts_at <= now:
                raise Conflict("Registration closed when the event started.", code="event_started")
            earlier = await self.registrations.get(event_id, member)
            if earlier is not None and earlier.status is not RegistrationStatus.CANCELLED:
                raise Conflict("You are already registered.", code="already_registered")
            tier = await self.members.tier_of(member) or Tier.FREE
            admission = admission_for(
                price_cents=event.price_cents,
                holds_ticket=event.price_cents > 0
                and await self.tickets.holds_ticket(member, event_id),
                allowance=entitlements_for(tier).free_event_tickets_per_month,
                used_this_month=(
                    await self.registrations.allowance_used(member, month_start(now))
                    if event.price_cents > 0
                    else 0
                ),
            )
            if admission is None:
                raise Conflict(
                    "This is a paid event: buy a ticket (item event_ticket), or use a "
                    "plan whose monthly event allowance is not used up.",
                    code="ticket_required",
                )
            counts = await self.registrations.counts(event_id)
            registration = Registration(
                id=earlier.id if earlier is not None else self.ids.new_id(),
                event_id=event_id,
                member_id=member,
                arrival=await self.registrations.last_arrival(event_id) + 1,
                status=place(counts.registered, event.capacity),
                admission=admission,
                registered_at=now,
            )
            await self.registrations.save(registration)
            position = position_in(await self.registrations.waitlist(event_id), registration)
            await self.transaction.commit()
        return RegistrationView(event_id, registration.status, admission, position)


@dataclass(frozen=True, slots=True)
class CancelRegistration:
    """Give up a seat or a waitlist place before the event starts; a freed seat goes to
    the first waitlisted member, who is told by email. An allowance used for it is
    given back."""

    transaction: Transaction
    events: EventStore
    registrations: RegistrationStore
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal, event_id: UUID) -> None:
        now = self.clock.now()
        async with self.transaction:
            event = await self.events.lock(event_id)
            if event is None:
                raise event_not_found()
            mine = await self.registrations.get(event_id, principal.user_id)
            if mine is None or mine.status is RegistrationStatus.CANCELLED:
                raise NotFound("You are not registered.", code="registration_not_found")
            if event.starts_at <= now:
                raise Conflict("The event has started.", code="event_started")
            await self.registrations.save(
                dataclasses.replace(mine, status=RegistrationStatus.CANCELLED, cancelled_at=now)
            )
            await promote(self.registrations, self.outbox, event, now)
            await self.transaction.commit()


@dataclass(frozen=True, slots=True)
class SubmitSurvey:
    """Rate an event you attended (once). Members not marked as attendees are
    ``attendance_required``."""

    transaction: Transaction
    events: EventStore
    registrations: RegistrationStore
    surveys: SurveyStore
    clock: Clock

    async def __call__(
        self, principal: Principal, event_id: UUID, *, rating: int, comment: str | None
    ) -> SurveyView:
        text = check_survey(rating, comment)
        async with self.transaction:
            if await self.events.get(event_id) is None:
                raise event_not_found()
            mine = await self.registrations.get(event_id, principal.user_id)
            if mine is None or mine.attended_at is None:
                raise PermissionDenied(
                    "Only members who attended the event may rate it.",
                    code="attendance_required",
                )
            survey = Survey(event_id, principal.user_id, rating, text, self.clock.now())
            await self.surveys.add(survey)
            await self.transaction.commit()
        return SurveyView.of(survey)
