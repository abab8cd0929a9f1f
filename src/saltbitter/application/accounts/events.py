"""Events the accounts capability publishes (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from saltbitter.application.ports.events import Event
from saltbitter.domain.shared import UserId

__all__ = [
    "AccountVisibilityChanged",
    "ErasureReminderDue",
    "PasswordResetRequested",
    "RegistrationAttempted",
    "VerificationRequested",
]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountVisibilityChanged(Event):
    """The member asked for deletion, or cancelled it: they vanished or came back, so
    caches showing them (others' daily sets) are dropped."""

    name = "accounts.visibility_changed"
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class ErasureReminderDue(Event):
    """Email the member: their account is erased in ``days`` days unless they cancel."""

    name = "accounts.erasure_reminder_due"
    user_id: UserId
    days: int
    erasure_due_at: datetime
