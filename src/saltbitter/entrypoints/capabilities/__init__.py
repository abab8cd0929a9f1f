"""Per-capability wiring: each module offers a dishka Provider and its named jobs.

The composition root, the job table and Celery Beat gather them from ``CAPABILITIES``,
so adding a capability touches its own module and this list only.
"""

from __future__ import annotations

from saltbitter.entrypoints.capabilities import assessments, matching, notifications, profiles
from saltbitter.entrypoints.capabilities.base import Capability

__all__ = ["CAPABILITIES", "Capability"]

CAPABILITIES: tuple[Capability, ...] = (
    profiles.CAPABILITY,
    assessments.CAPABILITY,
    matching.CAPABILITY,
    notifications.CAPABILITY,
)
