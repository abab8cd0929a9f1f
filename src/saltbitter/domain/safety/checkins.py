"""Date check-ins: a trusted contact is alerted when the member does not check in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from saltbitter.domain.accounts import EmailAddress
from saltbitter.domain.errors import FieldError, ValidationFailed

__all__ = [
    "CONTACT_RETENTION",
    "MAX_CHECK_IN_WINDOW",
    "CheckInContact",
    "check_check_in",
    "contact_purge_due",
]

CONTACT_RETENTION = timedelta(days=7)
"""The contact's name and address are deleted this long after the check-in time."""
MAX_CHECK_IN_WINDOW = timedelta(hours=24)
_MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class CheckInContact:
    name: str
    email: EmailAddress


def check_check_in(
    *, now: datetime, starts_at: datetime, check_in_by: datetime, name: str, email: str
) -> CheckInContact:
    """The date starts now or later (within a minute of slack), the check-in time follows
    it by at most a day, and the contact has a name and a valid address."""
    errors: list[FieldError] = []
    if starts_at < now - timedelta(minutes=1):
        errors.append(FieldError("starts_at", "The date must not be in the past.", "in_past"))
    if check_in_by <= starts_at:
        errors.append(FieldError("check_in_by", "Check in after the date starts.", "before_start"))
    elif check_in_by - starts_at > MAX_CHECK_IN_WINDOW:
        errors.append(
            FieldError("check_in_by", "Check in within 24 hours of the start.", "too_late")
        )
    stripped = name.strip()
    if not stripped or len(stripped) > _MAX_NAME:
        errors.append(FieldError("contact.name", f"Use 1 to {_MAX_NAME} characters.", "invalid"))
    address: EmailAddress | None = None
    try:
        address = EmailAddress.parse(email)
    except ValidationFailed:
        errors.append(FieldError("contact.email", "Use a valid email address.", "invalid_email"))
    if errors or address is None:
        raise ValidationFailed(errors)
    return CheckInContact(stripped, address)


def contact_purge_due(check_in_by: datetime, now: datetime) -> bool:
    """Whether the contact's details must be gone by now."""
    return now >= check_in_by + CONTACT_RETENTION
