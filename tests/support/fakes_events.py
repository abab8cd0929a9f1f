"""Events' role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.community_events import (
    EventMembers,
    EventStore,
    EventTickets,
    RegistrationStore,
    SurveyStore,
)
from saltbitter.testing.fakes_events import (
    InMemoryEventMembers,
    InMemoryEventStore,
    InMemoryEventTickets,
    InMemoryRegistrationStore,
    InMemorySurveyStore,
)

__all__ = ["EventsFakes"]


class EventsFakes(Provider):
    scope = Scope.REQUEST

    events = provide(InMemoryEventStore, provides=EventStore, override=True)
    registrations = provide(InMemoryRegistrationStore, provides=RegistrationStore, override=True)
    surveys = provide(InMemorySurveyStore, provides=SurveyStore, override=True)
    tickets = provide(InMemoryEventTickets, provides=EventTickets, override=True)
    members = provide(InMemoryEventMembers, provides=EventMembers, override=True)
