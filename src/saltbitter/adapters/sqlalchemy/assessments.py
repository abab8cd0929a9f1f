"""Assessments on SQL (table ``assessments``)."""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.assessments import AssessmentRepository, StoredAssessment
from saltbitter.domain.shared import UserId

__all__ = ["SqlaAssessmentRepository"]


class SqlaAssessmentRepository(AssessmentRepository):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def latest(self, user_id: UserId) -> StoredAssessment | None:
        return None  # filled in with the assessments capability
