"""Event topics of the notifications capability and the jobs each one triggers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# Published by matching (its outbox events); the payloads are its contract:
# MATCH_CREATED {"match_id": str, "user_a": str, "user_b": str}
# DAILY_SET_READY {"user_id": str, "local_date": "YYYY-MM-DD", "size": int}
MATCH_CREATED: Final = "matching.match_created"
DAILY_SET_READY: Final = "matching.daily_set_ready"

# Jobs of this capability (entrypoints/capabilities/notifications.py runs them).
NOTIFY_NEW_MATCH: Final = "notifications.notify_new_match"
NOTIFY_DAILY_SET_READY: Final = "notifications.notify_daily_set_ready"
SEND_DUE_EMAILS: Final = "notifications.send_due_emails"

JOBS_BY_TOPIC: Mapping[str, tuple[str, ...]] = {
    MATCH_CREATED: (NOTIFY_NEW_MATCH,),
    DAILY_SET_READY: (NOTIFY_DAILY_SET_READY,),
}
