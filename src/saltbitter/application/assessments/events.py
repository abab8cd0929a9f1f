"""Events and job parameters of the assessments capability (tags are stored: never rename
them)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.events import Event, JobParameters
from saltbitter.domain.accounts import ConsentPurpose
from saltbitter.domain.shared import UserId

__all__ = ["ComputeNormsParameters", "ConsentChanged"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentChanged(Event):
    """A member granted or withdrew a consent purpose. Matching drops cached sets and
    discovery pages on it, since withdrawing ``sensitive_data`` takes the member's
    attachment data out of matching."""

    name = "assessments.consent_changed"
    user_id: UserId
    purpose: ConsentPurpose
    granted: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputeNormsParameters(JobParameters):
    """Nightly with the default; ``saltbitter assessments norms`` may name another."""

    instrument: str = "ecr-r"
