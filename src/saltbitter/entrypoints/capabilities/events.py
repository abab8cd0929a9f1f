"""Wiring of the events capability (issue 11): community events, registrations and
waitlists, reminders, attendance and surveys, and tickets bought through payments."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.sqlalchemy.events import (
    SqlaEventMembers,
    SqlaEventStore,
    SqlaEventTickets,
    SqlaRegistrationStore,
    SqlaSurveyStore,
)
from saltbitter.application.events import topics
from saltbitter.application.events.admin import (
    CancelEvent,
    CreateEvent,
    MarkAttendance,
    UpdateEvent,
)
from saltbitter.application.events.events import (
    EventCancelledForMember,
    EventReminderDue,
    WaitlistPromoted,
)
from saltbitter.application.events.members import (
    CancelRegistration,
    ListEvents,
    Register,
    ShowEvent,
    SubmitSurvey,
)
from saltbitter.application.events.personal_data import PERSONAL_DATA as EVENTS_PERSONAL_DATA
from saltbitter.application.events.reminders import (
    EventNotice,
    SendEventEmail,
    SendEventReminders,
)
from saltbitter.application.events.tickets import GrantPurchasedTicket
from saltbitter.application.payments.events import PurchaseSucceeded
from saltbitter.application.ports.community_events import (
    EventMembers,
    EventStore,
    EventTickets,
    RegistrationStore,
    SurveyStore,
)
from saltbitter.entrypoints.capabilities.base import Capability, Job

__all__ = ["CAPABILITY", "EventsProvider"]


class EventsProvider(Provider):
    """REQUEST scope: events' ports on the request's connection, and its use cases."""

    scope = Scope.REQUEST

    events = provide(SqlaEventStore, provides=EventStore)
    registrations = provide(SqlaRegistrationStore, provides=RegistrationStore)
    surveys = provide(SqlaSurveyStore, provides=SurveyStore)
    tickets = provide(SqlaEventTickets, provides=EventTickets)
    members = provide(SqlaEventMembers, provides=EventMembers)

    use_cases = provide_all(
        CreateEvent,
        UpdateEvent,
        CancelEvent,
        MarkAttendance,
        ListEvents,
        ShowEvent,
        Register,
        CancelRegistration,
        SubmitSurvey,
        SendEventReminders,
        SendEventEmail,
        GrantPurchasedTicket,
    )


async def _send_email(scope: AsyncContainer, notice: EventNotice) -> object:
    return await (await scope.get(SendEventEmail))(notice)


async def _send_reminders(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(SendEventReminders))()


async def _grant_purchased_ticket(scope: AsyncContainer, purchase: PurchaseSucceeded) -> object:
    return await (await scope.get(GrantPurchasedTicket))(purchase)


def _every_minute() -> Any:
    try:
        from celery.schedules import crontab
    except ImportError:  # an API-only install never runs Beat
        return 60.0
    return crontab()


CAPABILITY = Capability(
    name="events",
    personal_data=EVENTS_PERSONAL_DATA,
    providers=lambda _settings: [EventsProvider()],
    events=(EventCancelledForMember, WaitlistPromoted, EventReminderDue),
    handlers={
        EventCancelledForMember: (topics.SEND_EVENT_EMAIL,),
        WaitlistPromoted: (topics.SEND_EVENT_EMAIL,),
        EventReminderDue: (topics.SEND_EVENT_EMAIL,),
        PurchaseSucceeded: (topics.GRANT_PURCHASED_TICKET,),
    },
    jobs={
        topics.SEND_EVENT_EMAIL: Job(_send_email),
        topics.SEND_REMINDERS: Job(_send_reminders),
        topics.GRANT_PURCHASED_TICKET: Job(_grant_purchased_ticket),
    },
    beat_schedule={
        "events-reminders-every-minute": {
            "task": topics.SEND_REMINDERS,
            "schedule": _every_minute(),
        },
    },
)
