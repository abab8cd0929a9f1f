"""Identifiers and small value types shared by every bounded context."""

from __future__ import annotations

from enum import StrEnum
from typing import NewType
from uuid import UUID

__all__ = ["Role", "SessionId", "Tier", "UserId"]

UserId = NewType("UserId", UUID)
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
