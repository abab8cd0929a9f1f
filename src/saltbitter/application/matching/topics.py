"""Job names of the matching capability (events are in ``events.py``;
entrypoints/capabilities/matching.py registers and runs the jobs)."""

from __future__ import annotations

from typing import Final

FORGET_MEMBER_CACHES: Final = "matching.forget_member_caches"
"""On ProfileChanged or ConsentChanged: drop the member's cached discovery and daily set,
and the cached daily sets that show the member to others."""
GENERATE_DAILY_SETS: Final = "matching.generate_daily_sets"
"""Takes GenerateDailySetsParameters: none from Beat's hourly sweep, a date by hand. The
coordinator: plans the shards and hands each to GENERATE_DAILY_SET_SHARD (ADR 0034)."""
GENERATE_DAILY_SET_SHARD: Final = "matching.generate_daily_set_shard"
"""Takes GenerateDailySetShardParameters: one shard's daily sets."""
