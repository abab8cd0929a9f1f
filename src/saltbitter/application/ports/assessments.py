"""Ports of the attachment-assessment capability (issue 4)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["AssessmentRepository"]


class AssessmentRepository(Protocol):
    """Every assessment a member took, newest last (table ``assessments``)."""
