"""Kinds of in-app notification and their deterministic identities."""

from __future__ import annotations

import uuid
from enum import StrEnum
from uuid import UUID

__all__ = ["NotificationKind", "notification_id"]

# Fixed forever: changing it would let a redelivered event create a second notification.
_NAMESPACE = UUID("5b0c1a4e-2f53-4d0e-9a55-6a3c7f1d2e88")


class NotificationKind(StrEnum):
    """What a notification is about (docs/product-rules.md 8)."""

    NEW_MATCH = "new_match"
    DAILY_SET_READY = "daily_set_ready"


def notification_id(kind: str, key: str, user_id: UUID) -> UUID:
    """The one id of the notification (or email) of ``kind`` about ``key`` for a member.

    Derived, not random, so that handling the same event twice (the outbox delivers at
    least once) names the same row twice and the second insert changes nothing.
    """
    return uuid.uuid5(_NAMESPACE, f"{kind}:{key}:{user_id}")
