"""Notifications on SQL (table ``notifications``)."""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.notifications import NotificationRepository

__all__ = ["SqlaNotificationRepository"]


class SqlaNotificationRepository(NotificationRepository):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db
