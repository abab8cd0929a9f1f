"""Who is calling and from where: established at the edge, read by every capability."""

from __future__ import annotations

from dataclasses import dataclass, field

from saltbitter.domain.shared import Role, SessionId, Tier, UserId

__all__ = ["ClientInfo", "Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as established from a valid access token."""

    user_id: UserId
    session_id: SessionId
    roles: frozenset[Role]
    tier: Tier
    email_verified: bool
    # The member's principal stamp this principal was read or matched under (ADR 0032),
    # for views kept under the same stamp (ADR 0036); None when there is none.
    stamp: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip_address: str | None = None
    user_agent: str | None = None

    @property
    def device(self) -> str:
        return (self.user_agent or "unknown device")[:200]
