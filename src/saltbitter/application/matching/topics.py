"""Event topics of the matching capability and the jobs each one triggers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from saltbitter.application.assessments.topics import CONSENT_CHANGED
from saltbitter.application.profiles.topics import PROFILE_CHANGED

# Events matching publishes (payload values are strings unless noted):
MATCH_CREATED: Final = "matching.match_created"
"""{"match_id", "user_a", "user_b"}: a mutual like made a match (exactly once per pair)."""
UNMATCHED: Final = "matching.unmatched"
"""{"match_id", "user_a", "user_b", "by"}: one member ended the match."""
DAILY_SET_READY: Final = "matching.daily_set_ready"
"""{"user_id", "local_date" (YYYY-MM-DD), "size" (int > 0)}: the daily job stored a new,
non-empty set (not sent for a set built on demand: its member is looking at it)."""

# Jobs of this capability (entrypoints/capabilities/matching.py runs them):
FORGET_MEMBER_CACHES: Final = "matching.forget_member_caches"
"""{"user_id"}: drop the member's cached discovery and daily set, and the cached daily
sets that show the member to others."""
GENERATE_DAILY_SETS: Final = "matching.generate_daily_sets"
"""{} from Beat's hourly sweep; {"date": "YYYY-MM-DD", "all_timezones": bool} by hand."""

JOBS_BY_TOPIC: Mapping[str, tuple[str, ...]] = {
    PROFILE_CHANGED: (FORGET_MEMBER_CACHES,),
    CONSENT_CHANGED: (FORGET_MEMBER_CACHES,),
}
