"""Moderation decisions on a report: dismiss, warn, suspend for N days, ban."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from saltbitter.domain.errors import FieldError, ValidationFailed

__all__ = ["MAX_NOTE", "MAX_SUSPENSION_DAYS", "ModerationAction", "Resolution", "check_resolution"]

MAX_SUSPENSION_DAYS = 365
MAX_NOTE = 1000


class ModerationAction(StrEnum):
    DISMISS = "dismiss"
    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"


@dataclass(frozen=True, slots=True)
class Resolution:
    """A checked decision: ``days`` only (and always) for a suspension."""

    action: ModerationAction
    note: str
    days: int | None = None

    def suspended_until(self, now: datetime) -> datetime | None:
        if self.action is not ModerationAction.SUSPEND or self.days is None:
            return None
        return now + timedelta(days=self.days)


def check_resolution(action: str, days: int | None, note: str) -> Resolution:
    """Validate a moderator's decision, reporting every bad field at once."""
    errors: list[FieldError] = []
    try:
        chosen: ModerationAction | None = ModerationAction(action)
    except ValueError:
        chosen = None
        errors.append(FieldError("action", "Use dismiss, warn, suspend or ban.", "invalid_choice"))
    if chosen is ModerationAction.SUSPEND:
        if days is None:
            errors.append(FieldError("days", "Say for how many days.", "required"))
        elif not 1 <= days <= MAX_SUSPENSION_DAYS:
            errors.append(
                FieldError("days", f"Use 1 to {MAX_SUSPENSION_DAYS} days.", "out_of_range")
            )
    elif days is not None and chosen is not None:
        errors.append(FieldError("days", "Only a suspension lasts days.", "not_allowed"))
    stripped = note.strip()
    if not stripped:
        errors.append(FieldError("note", "Explain the decision.", "required"))
    elif len(stripped) > MAX_NOTE:
        errors.append(FieldError("note", f"Use at most {MAX_NOTE} characters.", "too_long"))
    if errors or chosen is None:
        raise ValidationFailed(errors)
    return Resolution(chosen, stripped, days)
