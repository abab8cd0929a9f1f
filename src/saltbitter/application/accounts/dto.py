"""Inputs and outputs of the accounts use cases (plain dataclasses, encoded at the edge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.shared import Role, SessionId, Tier, UserId

__all__ = [
    "AccountsPolicy",
    "ClientInfo",
    "MeView",
    "Principal",
    "RegisterCommand",
    "Registered",
    "RegistrationReceived",
    "SessionView",
    "TokenPair",
]


@dataclass(frozen=True, slots=True)
class AccountsPolicy:
    """Operator choices for sign-up (settings feed this)."""

    terms_version: str = "2026-01"
    privacy_version: str = "2026-01"
    allowed_email_domains: frozenset[str] = frozenset()  # empty: everyone may register


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip_address: str | None = None
    user_agent: str | None = None

    @property
    def device(self) -> str:
        return (self.user_agent or "unknown device")[:200]


@dataclass(frozen=True, slots=True)
class RegisterCommand:
    email: str
    password: str
    display_name: str
    birthdate: date
    timezone: str
    accept_terms: bool
    accept_privacy: bool
    client: ClientInfo = ClientInfo()


@dataclass(frozen=True, slots=True)
class Registered:
    user_id: UserId
    email: str
    status: AccountStatus


@dataclass(frozen=True, slots=True)
class RegistrationReceived:
    """The one answer to a sign-up, whether or not the address already has an account."""

    email: str
    detail: str = "Check your email to continue."


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as established from a valid access token."""

    user_id: UserId
    session_id: SessionId
    roles: frozenset[Role]
    tier: Tier
    email_verified: bool


@dataclass(frozen=True, slots=True)
class SessionView:
    session_id: SessionId
    device: str
    created_at: datetime
    last_used_at: datetime
    current: bool


@dataclass(frozen=True, slots=True)
class MeView:
    user_id: UserId
    email: str
    display_name: str
    email_verified: bool
    tier: Tier
    roles: list[Role]
    created_at: datetime
    timezone: str
