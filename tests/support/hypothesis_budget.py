"""Example budgets for the expensive hypothesis properties.

Most properties run on hypothesis's default budget. A few build a whole population, run
an allocation or replay a state machine for every example, at tens of milliseconds
each. Everyday runs (``make unit``, ``make test``) give those a fifth of their full
budget; the thorough profile (``SALTBITTER_HYPOTHESIS_PROFILE=thorough``, for nightly
runs or before a release) gives them all of it and raises the default budget too.
Hypothesis replays previously failing examples first under either profile.
"""

from __future__ import annotations

import os

__all__ = ["PROFILE", "THOROUGH", "budget"]

PROFILE = os.environ.get("SALTBITTER_HYPOTHESIS_PROFILE", "default")
THOROUGH = PROFILE == "thorough"


def budget(full: int) -> int:
    """``full`` examples under the thorough profile, otherwise a fifth (at least 10)."""
    if THOROUGH:
        return full
    return max(min(full, 10), full // 5)
