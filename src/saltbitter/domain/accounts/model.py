"""Accounts: members, sign-in sessions, one-time codes, consents (docs/product-rules.md 2)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from saltbitter.domain.accounts.email import EmailAddress
from saltbitter.domain.errors import (
    AuthenticationFailed,
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationFailed,
)
from saltbitter.domain.shared import Role, SessionId, Tier, UserId

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "CODE_LIFETIME",
    "ERASURE_GRACE",
    "ERASURE_REMINDER_DAYS",
    "MAX_CODE_ATTEMPTS",
    "MINIMUM_AGE_YEARS",
    "REFRESH_TOKEN_LIFETIME",
    "UNVERIFIED_ACCOUNT_LIFETIME",
    "AccountStatus",
    "CodePurpose",
    "ConsentPurpose",
    "ConsentRecord",
    "OneTimeCode",
    "RefreshToken",
    "Session",
    "User",
    "age_on",
    "check_adult",
    "check_display_name",
    "check_timezone",
    "hash_secret",
    "invalid_code",
]

MINIMUM_AGE_YEARS = 18
CODE_LIFETIME = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=7)
UNVERIFIED_ACCOUNT_LIFETIME = timedelta(hours=24)
ERASURE_GRACE = timedelta(days=30)
"""Between a deletion request and the erasure: the member may change their mind."""
ERASURE_REMINDER_DAYS = (7, 3, 1)
"""Reminder emails go this many days before the erasure, each once."""
_MAX_DISPLAY_NAME = 50


class AccountStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"
    PENDING_DELETION = "pending_deletion"
    """Deletion requested: invisible to everyone, erased when ``erasure_due_at`` comes;
    the member may still sign in to cancel."""


class CodePurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"


class ConsentPurpose(StrEnum):
    """Purposes of the consent ledger (docs/product-rules.md 10)."""

    TERMS = "terms"
    PRIVACY = "privacy"
    SENSITIVE_DATA = "sensitive_data"
    AI_FEATURES = "ai_features"
    MARKETING = "marketing"


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (refresh tokens): what is stored at rest."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def age_on(birthdate: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birthdate.month, birthdate.day)
    return today.year - birthdate.year - int(before_birthday)


def check_adult(birthdate: date, today: date, field: str = "birthdate") -> FieldError | None:
    if birthdate > today:
        return FieldError(field, "The birthdate is in the future.", "invalid_birthdate")
    if age_on(birthdate, today) < MINIMUM_AGE_YEARS:
        return FieldError(field, f"You must be at least {MINIMUM_AGE_YEARS} years old.", "underage")
    return None


def check_timezone(name: str, field: str = "timezone") -> FieldError | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return FieldError(field, "Use an IANA time zone such as Europe/Berlin.", "invalid_timezone")
    return None


def check_display_name(name: str, field: str = "display_name") -> FieldError | None:
    stripped = name.strip()
    if not stripped:
        return FieldError(field, "A display name is required.", "required")
    if len(stripped) > _MAX_DISPLAY_NAME:
        return FieldError(field, f"Use at most {_MAX_DISPLAY_NAME} characters.", "too_long")
    if any(not character.isprintable() for character in stripped):
        return FieldError(field, "Use printable characters only.", "invalid")
    return None


@dataclass(slots=True)
class User:
    """A member's account. Profile, assessment and matching data live elsewhere."""

    id: UserId
    email: EmailAddress
    display_name: str
    birthdate: date
    timezone: str
    password_hash: str
    created_at: datetime
    status: AccountStatus = AccountStatus.PENDING_VERIFICATION
    tier: Tier = Tier.FREE
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.MEMBER}))
    email_verified_at: datetime | None = None
    erasure_due_at: datetime | None = None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def mark_email_verified(self, now: datetime) -> None:
        if self.email_verified_at is None:
            self.email_verified_at = now
        if self.status is AccountStatus.PENDING_VERIFICATION:
            self.status = AccountStatus.ACTIVE

    @property
    def deletion_pending(self) -> bool:
        return self.status is AccountStatus.PENDING_DELETION

    def request_deletion(self, now: datetime) -> datetime:
        """Deactivate now and schedule the erasure after the grace period; asking again
        keeps the first date (the grace period does not restart)."""
        if self.status is AccountStatus.PENDING_DELETION and self.erasure_due_at is not None:
            return self.erasure_due_at
        if self.status is not AccountStatus.ACTIVE:
            raise PermissionDenied(
                "Only an active account can be deleted this way.", code="account_not_active"
            )
        self.status = AccountStatus.PENDING_DELETION
        self.erasure_due_at = now + ERASURE_GRACE
        return self.erasure_due_at

    def cancel_deletion(self, now: datetime) -> None:
        """Back to active, visible again, while the grace period lasts."""
        if self.status is not AccountStatus.PENDING_DELETION or self.erasure_due_at is None:
            raise NotFound("No deletion is pending for this account.", code="deletion_not_pending")
        if now >= self.erasure_due_at:
            raise Conflict(
                "The grace period is over; the erasure has started.", code="erasure_started"
            )
        self.status = AccountStatus.ACTIVE
        self.erasure_due_at = None

    def ensure_may_sign_in(self) -> None:
        if self.status is AccountStatus.PENDING_VERIFICATION:
            raise PermissionDenied(
                "Verify your email address before signing in.", code="email_not_verified"
            )
        if self.status is AccountStatus.SUSPENDED:
            raise PermissionDenied("This account is suspended.", code="account_suspended")
        if self.status is AccountStatus.DEACTIVATED:
            raise AuthenticationFailed("Email or password is wrong.", code="invalid_credentials")


@dataclass(frozen=True, slots=True)
class OneTimeCode:
    """A 6-digit code for one purpose: 15 minutes, single use, 5 attempts, hashed at rest."""

    user_id: UserId
    purpose: CodePurpose
    code_hash: str
    expires_at: datetime
    attempts_left: int = MAX_CODE_ATTEMPTS
    used_at: datetime | None = None

    @staticmethod
    def digest(user_id: UserId, purpose: CodePurpose, code: str) -> str:
        # Salted with the user and purpose, so equal codes never share a hash.
        material = f"{purpose.value}:{user_id}:{code}".encode()
        return hashlib.sha256(material).hexdigest()

    @classmethod
    def issue(cls, user_id: UserId, purpose: CodePurpose, code: str, now: datetime) -> OneTimeCode:
        if len(code) != 6 or not code.isdigit():
            raise ValueError("one-time codes are six digits")
        return cls(user_id, purpose, cls.digest(user_id, purpose, code), now + CODE_LIFETIME)

    def is_open(self, now: datetime) -> bool:
        """Whether a guess may still be evaluated: unused, unexpired and attempts left."""
        return self.used_at is None and now < self.expires_at and self.attempts_left > 0

    def matches(self, code: str) -> bool:
        presented = self.digest(self.user_id, self.purpose, code.strip())
        return hmac.compare_digest(presented, self.code_hash)

    def redeem(self, code: str, now: datetime) -> tuple[OneTimeCode, bool]:
        """Try ``code``; return the code's new state and whether the attempt succeeded.

        The sequential rule. Every evaluated guess, right or wrong, uses one of the five
        attempts; repositories apply the same rule atomically (``take_attempt`` then
        ``mark_used``), so concurrent guesses cannot share one attempt.
        """
        if not self.is_open(now):
            return self, False
        spent = replace(self, attempts_left=self.attempts_left - 1)
        if self.matches(code):
            return replace(spent, used_at=now), True
        return spent, False

    def ensure_attempts_left(self) -> None:
        if self.attempts_left <= 0:
            raise QuotaExceeded(
                "Too many wrong codes; request a new one.", code="code_attempts_exhausted"
            )


def invalid_code() -> ValidationFailed:
    return ValidationFailed.single("code", "The code is wrong or has expired.", "invalid_code")


@dataclass(slots=True)
class Session:
    """One signed-in device. Access tokens name it, so revoking it stops them at once."""

    id: SessionId
    user_id: UserId
    device: str
    created_at: datetime
    last_used_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """The stored trace of an opaque refresh token: only its SHA-256 hash."""

    token_hash: str
    session_id: SessionId
    issued_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One line of the append-only consent ledger (docs/product-rules.md 10)."""

    user_id: UserId
    purpose: ConsentPurpose
    granted: bool
    policy_version: str
    recorded_at: datetime
    ip_address: str | None = None
    user_agent: str | None = None
