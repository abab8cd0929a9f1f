"""Events the accounts capability publishes (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.events import Event
from saltbitter.domain.shared import UserId

__all__ = ["PasswordResetRequested", "RegistrationAttempted", "VerificationRequested"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationRequested(Event):
    name = "accounts.verification_requested"
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordResetRequested(Event):
    name = "accounts.password_reset_requested"
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationAttempted(Event):
    """Someone signed up with an address that already has an account: tell its owner."""

    name = "accounts.registration_attempted"
    user_id: UserId
