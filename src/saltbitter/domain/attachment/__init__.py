"""Attachment assessment: instruments as data, scoring, norms, insights, psychometrics.

Everything here is pure and standard-library only. Research references point at
``docs/science.md`` (sections 0-2).
"""

from __future__ import annotations

from .insights import AttachmentStyle, DimensionLevel, Insights
from .instruments import ECR_R, Instrument, Item, ResponseScale, Subscale
from .norms import DEFAULT_NORMS, AgeBand, Norms, SubscaleNorm
from .psychometrics import (
    CarelessnessRules,
    NormsReport,
    ReliabilityReport,
    ResponseRecord,
    compute_norms,
    reliability_report,
)
from .scoring import DEFAULT_RULES, AssessmentResult, ClassificationRules, score_assessment

__all__ = [
    "DEFAULT_NORMS",
    "DEFAULT_RULES",
    "ECR_R",
    "AgeBand",
    "AssessmentResult",
    "AttachmentStyle",
    "CarelessnessRules",
    "ClassificationRules",
    "DimensionLevel",
    "Insights",
    "Instrument",
    "Item",
    "Norms",
    "NormsReport",
    "ReliabilityReport",
    "ResponseRecord",
    "ResponseScale",
    "Subscale",
    "SubscaleNorm",
    "compute_norms",
    "reliability_report",
    "score_assessment",
]
