"""Inputs and outputs of the accounts use cases (plain dataclasses, encoded at the edge)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from saltbitter.application.shared.identity import ClientInfo
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.shared import Role, SessionId, Tier, UserId

__all__ = [
    "MeView",
    "RegisterCommand",
    "Registered",
    "RegistrationReceived",
    "SessionView",
    "TokenPair",
]


@dataclass(frozen=True, slots=True)
class RegisterCommand:
    email: str
    password: str
    display_name: str
    birthdate: date
    timezone: str
    accept_terms: bool
    accept_privacy: bool
    client: ClientInfo = field(default_factory=ClientInfo)


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
    # Set at sign-in while the account awaits erasure (docs/privacy.md).
    deletion_pending: bool = False
    erasure_due_at: datetime | None = None


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
    deletion_pending: bool = False
    erasure_due_at: datetime | None = None
