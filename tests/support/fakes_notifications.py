"""Notifications' role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.notifications import (
    EmailSchedule,
    NotificationInbox,
    NotificationRecipients,
)
from saltbitter.testing.fakes_notifications import (
    InMemoryEmailSchedule,
    InMemoryNotificationInbox,
    InMemoryNotificationRecipients,
)

__all__ = ["NotificationsFakes"]


class NotificationsFakes(Provider):
    scope = Scope.REQUEST

    inbox = provide(InMemoryNotificationInbox, provides=NotificationInbox, override=True)
    emails = provide(InMemoryEmailSchedule, provides=EmailSchedule, override=True)
    recipients = provide(
        InMemoryNotificationRecipients, provides=NotificationRecipients, override=True
    )
