"""Identifiers and small value types shared by every bounded context."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import NewType
from uuid import UUID

__all__ = [
    "DELETED_MEMBER",
    "DELETED_MEMBER_NAME",
    "Role",
    "SessionId",
    "Tier",
    "UserId",
    "retry_after_seconds",
]

UserId = NewType("UserId", UUID)
DELETED_MEMBER = UserId(UUID(int=0))
"""Stands for an erased member where a kept row named them (the other side of a
conversation, the sender of a message): no account ever has this id (ADR 0035). The
database stores null there; adapters read null as this placeholder."""
DELETED_MEMBER_NAME = "Deleted member"
"""How an erased member is shown where their name was."""
SessionId = NewType("SessionId", UUID)


class Tier(StrEnum):
    """Subscription tiers; their entitlements live in ``saltbitter.domain.subscriptions``."""

    FREE = "free"
    PREMIUM = "premium"
    ELITE = "elite"


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


def retry_after_seconds(wait: timedelta) -> int:
    """Whole seconds to wait (a Retry-After value): ``wait`` rounded up exactly, at least 1.

    Integer arithmetic on the timedelta: adding 0.999 to a float rounds 1.000999 s down to
    1, and a retry after that second is refused again."""
    return max(1, -(-wait // timedelta(seconds=1)))
