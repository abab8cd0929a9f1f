"""The operator's choices for matching, in one value the composition root builds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from saltbitter.domain.compatibility import DEFAULT_POLICY, CompatibilityPolicy
from saltbitter.domain.errors import FieldError, ValidationFailed
from saltbitter.domain.matching import AllocationPolicy, DailyQuotas
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import entitlements_for

__all__ = ["MatchingPolicy", "tier_quotas"]


def tier_quotas() -> DailyQuotas:
    """Daily set sizes per tier, from the subscription entitlements (10 / 25 / 50)."""
    return DailyQuotas(
        free=entitlements_for(Tier.FREE).daily_matches,
        premium=entitlements_for(Tier.PREMIUM).daily_matches,
        elite=entitlements_for(Tier.ELITE).daily_matches,
    )


@dataclass(frozen=True, slots=True)
class MatchingPolicy:
    """Tunable numbers of daily sets and discovery (settings feed the exposure cap).

    - ``allocation``: tier quotas and the exposure cap (nobody in more daily sets than
      this within ``exposure_window``).
    - ``chunk_size``: members whose daily sets are written and committed together; a
      crash loses at most one chunk's work, and a rerun skips finished members.
    - ``candidates_per_quota``: each member's ranked list holds this many candidates per
      set place, so the allocation has room to spread exposure.
    - ``page_size``: finite pages (docs/product-rules.md 8).
    - ``shard_members``: the hourly sweep runs one shard (one worker task) per this many
      due members (ADR 0034).
    - ``pause_collector``: a daily run pauses and then freezes Python's cyclic garbage
      collector (for the whole process) while it works; only where the run has its
      process to itself (a Celery worker, the CLI), never inside the API.
    """

    allocation: AllocationPolicy = field(
        default_factory=lambda: AllocationPolicy(quotas=tier_quotas())
    )
    compatibility: CompatibilityPolicy = DEFAULT_POLICY
    chunk_size: int = 500
    candidates_per_quota: int = 4
    page_size: int = 20
    exposure_window: timedelta = timedelta(hours=24)
    daily_ttl_seconds: int = 24 * 3600
    discover_ttl_seconds: int = 600
    frequencies_ttl_seconds: int = 3600
    shard_members: int = 25_000
    pause_collector: bool = False

    def __post_init__(self) -> None:
        errors = [
            FieldError(name, "must be a whole number of at least 1")
            for name in (
                "chunk_size",
                "candidates_per_quota",
                "page_size",
                "daily_ttl_seconds",
                "discover_ttl_seconds",
                "frequencies_ttl_seconds",
                "shard_members",
            )
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1
        ]
        if errors:
            raise ValidationFailed(errors, "The matching policy is invalid.")
