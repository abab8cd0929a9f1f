"""Assessments on SQL (table ``assessments``)."""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.assessments import AssessmentRepository

__all__ = ["SqlaAssessmentRepository"]


class SqlaAssessmentRepository(AssessmentRepository):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db
