"""The daily AI message quota per tier, counted per UTC day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from saltbitter.domain.shared import Tier, retry_after_seconds
from saltbitter.domain.subscriptions.catalog import DEFAULT_CATALOG, Catalog

__all__ = ["daily_ai_quota", "quota_day", "quota_resets_at", "seconds_until_reset"]


def daily_ai_quota(tier: Tier, catalog: Catalog = DEFAULT_CATALOG) -> int:
    """How many AI messages the tier allows per day (the catalog's entitlement)."""
    return catalog.plan(tier).entitlements.ai_practice_messages_per_day


def quota_day(now: datetime) -> date:
    """The UTC day ``now`` is counted on (one rule for every member: no timezone games)."""
    return now.astimezone(UTC).date()


def quota_resets_at(now: datetime) -> datetime:
    """The next UTC midnight after ``now``."""
    return datetime.combine(quota_day(now) + timedelta(days=1), time(0), tzinfo=UTC)


def seconds_until_reset(now: datetime) -> int:
    """Whole seconds until the reset, at least 1 (a Retry-After value)."""
    return retry_after_seconds(quota_resets_at(now) - now)
