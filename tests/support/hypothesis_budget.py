"""Example budgets for the expensive hypothesis properties.

Most properties run on the profile's budget (50 examples everyday, 500 under the
thorough profile: tests/conftest.py). A few build a whole population, run an allocation
or replay a state machine for every example, at tens of milliseconds each. Everyday runs
(``make unit``, ``make test``) give those a fifth of their full budget; the thorough
profile (``SALTBITTER_HYPOTHESIS_PROFILE=thorough``, for nightly runs or before a
release) gives them all of it.
Hypothesis replays previously failing examples first under either profile.
"""

from __future__ import annotations

import os

__all__ = ["EVERYDAY_EXAMPLES", "PROFILE", "THOROUGH", "THOROUGH_EXAMPLES", "budget"]

PROFILE = os.environ.get("SALTBITTER_HYPOTHESIS_PROFILE", "default")
THOROUGH = PROFILE == "thorough"
# The profiles' budget for the properties that do not set their own (tests/conftest.py).
EVERYDAY_EXAMPLES = 50
THOROUGH_EXAMPLES = 500


def budget(full: int) -> int:
    """``full`` examples under the thorough profile, otherwise a fifth (at least 10)."""
    if THOROUGH:
        return full
    return max(min(full, 10), full // 5)
