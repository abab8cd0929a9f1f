"""Job names of the notifications capability (entrypoints/capabilities/notifications.py
runs them; the first two react to matching's MatchCreated and DailySetReady events)."""

from __future__ import annotations

from typing import Final

NOTIFY_NEW_MATCH: Final = "notifications.notify_new_match"
NOTIFY_DAILY_SET_READY: Final = "notifications.notify_daily_set_ready"
SEND_DUE_EMAILS: Final = "notifications.send_due_emails"
NOTIFY_MODERATION_DECISION: Final = "notifications.notify_moderation_decision"
