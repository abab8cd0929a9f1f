"""In-memory fake of the assessment repository (issue 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from saltbitter.application.ports.assessments import AssessmentRepository, StoredAssessment
from saltbitter.domain.shared import UserId

__all__ = ["AssessmentsState", "InMemoryAssessmentRepository"]


@dataclass
class AssessmentsState:
    """Committed assessments of one in-memory database, oldest first."""

    records: list[StoredAssessment] = field(default_factory=list)


class InMemoryAssessmentRepository(AssessmentRepository):
    def __init__(self, state: AssessmentsState) -> None:
        self._state = state

    async def lock_member(self, user_id: UserId) -> None:
        """Nothing to do: an in-memory unit of work publishes whole snapshots."""

    async def latest(self, user_id: UserId) -> StoredAssessment | None:
        mine = await self.history(user_id)
        return mine[0] if mine else None

    def add(self, assessment: StoredAssessment) -> None:
        self._state.records.append(assessment)

    async def history(self, user_id: UserId) -> Sequence[StoredAssessment]:
        mine = [record for record in self._state.records if record.user_id == user_id]
        # Same order as SQL: newest first, ties broken by id.
        return sorted(mine, key=lambda record: (record.taken_at, record.id), reverse=True)
