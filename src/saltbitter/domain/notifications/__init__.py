"""Notifications: what members are told, when, and the quiet hours that hold email back."""

from __future__ import annotations

from .model import NotificationKind, notification_id
from .quiet_hours import DEFAULT_QUIET_HOURS, QuietHours

__all__ = ["DEFAULT_QUIET_HOURS", "NotificationKind", "QuietHours", "notification_id"]
