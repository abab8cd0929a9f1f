"""Attachment assessment: instruments as data, scoring, norms, insights, psychometrics.

Everything here is pure and standard-library only. Research references point at
``docs/science.md`` (sections 0-2).
"""

from __future__ import annotations

from .insights import AttachmentStyle, DimensionLevel, Insights
from .instruments import ECR_R, ECR_RS, Instrument, Item, ResponseScale, Subscale
from .norms import DEFAULT_NORMS, AgeBand, Norms, SubscaleNorm
from .psychometrics import ResponseRecord, compute_norms, reliability_report
from .scoring import DEFAULT_RULES, AssessmentResult, ClassificationRules, score_assessment

__all__ = [
    "DEFAULT_NORMS",
    "DEFAULT_RULES",
    "ECR_R",
    "ECR_RS",
    "AgeBand",
    "AssessmentResult",
    "AttachmentStyle",
    "ClassificationRules",
    "DimensionLevel",
    "Insights",
    "Instrument",
    "Item",
    "Norms",
    "ResponseRecord",
    "ResponseScale",
    "Subscale",
    "SubscaleNorm",
    "compute_norms",
    "reliability_report",
    "score_assessment",
]
