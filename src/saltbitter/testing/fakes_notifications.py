"""In-memory fake of the notification repository (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.notifications import NotificationRepository

__all__ = ["InMemoryNotificationRepository", "NotificationsState"]


@dataclass
class NotificationsState:
    """Committed notifications of one in-memory database."""


class InMemoryNotificationRepository(NotificationRepository):
    def __init__(self, state: NotificationsState) -> None:
        self._state = state
