"""Ports of the attachment-assessment capability (issue 4)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.domain.shared import UserId

__all__ = ["AssessmentRepository", "StoredAssessment"]


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """One completed assessment as kept (table ``assessments``); answers stay private."""

    id: UUID
    user_id: UserId
    instrument: str
    instrument_version: str
    answers: Mapping[int, int]
    anxiety: float
    avoidance: float
    style: AttachmentStyle
    near_boundary: bool
    taken_at: datetime


class AssessmentRepository(Protocol):
    """Every assessment a member took (table ``assessments``)."""

    @abstractmethod
    async def lock_member(self, user_id: UserId) -> None:
        """Serialise assessment submissions of one member until the transaction ends, so
        the retake rule sees any result a concurrent submission stored."""

    @abstractmethod
    async def latest(self, user_id: UserId) -> StoredAssessment | None:
        """The member's most recent assessment, if any."""

    @abstractmethod
    def add(self, assessment: StoredAssessment) -> None:
        """Stage a completed assessment; earlier ones are kept as history."""

    @abstractmethod
    async def history(self, user_id: UserId) -> Sequence[StoredAssessment]:
        """Every assessment of the member, most recent first."""
