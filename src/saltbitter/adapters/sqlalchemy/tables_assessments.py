"""Tables the assessments capability added after the member journey (migration 0003)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from saltbitter.adapters.sqlalchemy.column_types import UtcDateTime
from saltbitter.adapters.sqlalchemy.tables import JSON_DOCUMENT, metadata

__all__ = ["OVERALL_BAND", "assessment_norms"]

# ``age_band`` of the overall norms of a version (a primary key column cannot be null).
OVERALL_BAND = "all"

assessment_norms = Table(
    "assessment_norms",
    metadata,
    Column("instrument", String(32), nullable=False),
    Column("version", String(64), nullable=False),
    Column("age_band", String(8), nullable=False),  # an AgeBand value or "all"
    Column("computed_at", UtcDateTime(), nullable=False),
    Column("sample_size", Integer(), nullable=False),
    Column("anxiety_mean", Float(), nullable=False),
    Column("anxiety_sd", Float(), nullable=False),
    Column("anxiety_alpha", Float(), nullable=False),
    Column("avoidance_mean", Float(), nullable=False),
    Column("avoidance_sd", Float(), nullable=False),
    Column("avoidance_alpha", Float(), nullable=False),
    # Per subscale name, a list of [percent, score] points.
    Column("percentiles", JSON_DOCUMENT, nullable=False),
    Column("source", Text(), nullable=False),
    PrimaryKeyConstraint("instrument", "version", "age_band"),
    Index(None, "instrument", "computed_at"),
)
