"""The breach register (GDPR Art. 33 and 34).

A breach is recorded when the controller becomes aware of it; the supervisory
authority must be told within 72 hours of that moment, and affected members without
undue delay when the risk to them is high. Every action on a breach is one entry of an
append-only log: entries are created, never changed or removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from saltbitter.domain.errors import FieldError, ValidationFailed

__all__ = [
    "AUTHORITY_DEADLINE",
    "Breach",
    "BreachAction",
    "BreachLogEntry",
    "check_new_breach",
]

AUTHORITY_DEADLINE = timedelta(hours=72)
"""Art. 33(1): notify the supervisory authority within 72 hours of becoming aware."""


class BreachAction(StrEnum):
    RECORDED = "recorded"
    MEMBERS_ADDED = "members_added"
    AUTHORITY_NOTIFIED = "authority_notified"
    MEMBERS_NOTIFIED = "members_notified"


@dataclass(frozen=True, slots=True)
class Breach:
    id: UUID
    scope: str
    data_classes: tuple[str, ...]
    aware_at: datetime
    recorded_at: datetime
    affected_members: int = 0
    notified_members: int = 0
    authority_notified_at: datetime | None = None
    authority_channel: str | None = None
    authority_reference: str | None = None

    @property
    def authority_deadline(self) -> datetime:
        return self.aware_at + AUTHORITY_DEADLINE

    def time_left(self, now: datetime) -> timedelta | None:
        """Until the authority deadline (negative when past), or None once notified."""
        if self.authority_notified_at is not None:
            return None
        return self.authority_deadline - now

    def notified_late(self) -> bool:
        return (
            self.authority_notified_at is not None
            and self.authority_notified_at > self.authority_deadline
        )


@dataclass(frozen=True, slots=True)
class BreachLogEntry:
    """One action on a breach. Frozen and without an update or delete anywhere: the
    register's ports only append and read, and the database refuses changes too."""

    id: UUID
    breach_id: UUID
    action: BreachAction
    at: datetime
    actor: str
    details: Mapping[str, str | int] = field(default_factory=dict)


def check_new_breach(
    scope: str, data_classes: Sequence[str], aware_at: datetime, now: datetime
) -> tuple[str, tuple[str, ...]]:
    """The cleaned scope and data classes of a new breach, or ``ValidationFailed``."""
    errors: list[FieldError] = []
    cleaned_scope = scope.strip()
    if not cleaned_scope:
        errors.append(FieldError("scope", "Describe what happened.", "required"))
    classes = tuple(dict.fromkeys(c.strip() for c in data_classes if c.strip()))
    if not classes:
        errors.append(FieldError("data_classes", "Name at least one class of data.", "required"))
    if aware_at.tzinfo is None:
        errors.append(FieldError("aware_at", "Give a time zone.", "invalid"))
    elif aware_at > now:
        errors.append(FieldError("aware_at", "Awareness cannot be in the future.", "invalid"))
    if errors:
        raise ValidationFailed(errors)
    return cleaned_scope, classes
