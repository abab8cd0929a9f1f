"""Ports of the notifications capability (issue 4)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["NotificationRepository"]


class NotificationRepository(Protocol):
    """In-app notifications (table ``notifications``)."""
