"""In-memory fake of the assessment repository (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.assessments import AssessmentRepository

__all__ = ["AssessmentsState", "InMemoryAssessmentRepository"]


@dataclass
class AssessmentsState:
    """Committed assessments of one in-memory database."""


class InMemoryAssessmentRepository(AssessmentRepository):
    def __init__(self, state: AssessmentsState) -> None:
        self._state = state
