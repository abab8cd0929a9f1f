"""Matching: like/pass/match/unmatch rules and the daily-set allocation with fairness.

Pure and standard-library only (docs/product-rules.md 6; docs/science.md 5.4). Scores come
from ``saltbitter.domain.compatibility`` (or a batch scorer that agrees with it); this
package decides what happens with them.
"""

from __future__ import annotations

from .allocation import (
    DEFAULT_ALLOCATION_POLICY,
    AllocationPolicy,
    AllocationResult,
    DailyAllocation,
    DailyQuotas,
    RankedCandidateLists,
    allocate_daily_sets,
    allocate_ranked,
    fairness_report,
    top_choices,
)
from .fairness import FairnessReport, compatibility_ratio, exposure_gini
from .rules import (
    Decision,
    Match,
    MatchPair,
    MatchStatus,
    PairState,
    SwipeOutcome,
    decide,
    refuse_self,
)

__all__ = [
    "DEFAULT_ALLOCATION_POLICY",
    "AllocationPolicy",
    "AllocationResult",
    "DailyAllocation",
    "DailyQuotas",
    "Decision",
    "FairnessReport",
    "Match",
    "MatchPair",
    "MatchStatus",
    "PairState",
    "RankedCandidateLists",
    "SwipeOutcome",
    "allocate_daily_sets",
    "allocate_ranked",
    "compatibility_ratio",
    "decide",
    "exposure_gini",
    "fairness_report",
    "refuse_self",
    "top_choices",
]
