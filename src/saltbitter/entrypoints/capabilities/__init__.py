"""Per-capability wiring: each module offers dishka providers, its event types, the
jobs events trigger, its named jobs and its Beat entries.

The composition root, the outbox codec and relay table, the job table and Celery Beat
gather them from ``CAPABILITIES``, so adding a capability touches its own module and
this list only.
"""

from __future__ import annotations

from saltbitter.entrypoints.capabilities import (
    accounts,
    ai,
    assessments,
    conversations,
    events,
    matching,
    notifications,
    payments,
    privacy_rights,
    profiles,
    safety,
)
from saltbitter.entrypoints.capabilities.base import Capability

__all__ = ["CAPABILITIES", "Capability"]

CAPABILITIES: tuple[Capability, ...] = (
    accounts.CAPABILITY,
    profiles.CAPABILITY,
    assessments.CAPABILITY,
    # Before matching: erasure walks this order, and messages refer to matches.
    conversations.CAPABILITY,
    matching.CAPABILITY,
    notifications.CAPABILITY,
    ai.CAPABILITY,
    safety.CAPABILITY,
    payments.CAPABILITY,
    privacy_rights.CAPABILITY,
    events.CAPABILITY,
)
