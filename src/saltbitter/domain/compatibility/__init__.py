"""Compatibility: the reference (scalar) rules for scoring and filtering pairs.

Total = 40% attachment + 25% interests + 20% values + 15% demographics
(docs/product-rules.md 5), each component in [0, 1], directional totals fused by a
harmonic mean, every result explained in plain words. Hard filters decide who may be
shown to whom at all.
Pure and standard-library only; the numbers come from ``docs/science.md``
sections 3.3 (attachment), 4.1-4.2 (interests, values) and 5.1-5.3 (age, distance,
reciprocity). ``ScoringPopulation`` lays members out in columns for batch scorers, which
must agree with these rules.
"""

from __future__ import annotations

from ._numeric import EARTH_RADIUS_KM, harmonic_mean, haversine_km
from .attachment import AttachmentScores, attachment_compatibility
from .demographics import (
    DirectionalDemographics,
    age_window_score,
    age_years_outside,
    directional_demographics,
    distance_score,
    score_for_years_outside,
)
from .explainer import PairExplainer
from .filters import NO_HISTORY, Eligibility, IneligibilityReason, PairHistory, check_eligibility
from .interests import (
    NO_FREQUENCIES,
    DocumentFrequencies,
    SharedInterests,
    interest_similarity,
    shared_interests,
)
from .policy import DEFAULT_POLICY, AttachmentPenaltyWeights, CompatibilityPolicy, ComponentWeights
from .population import (
    AGE_SLOTS,
    GENDER_CODES,
    VALUE_DIMENSIONS,
    PopulationColumns,
    ScoringPopulation,
)
from .profile import CandidateProfile, Gender
from .public_distance import (
    GRID_DEGREES,
    distance_phrase,
    public_distance_km,
    restate_distance,
    snap_degrees,
)
from .scoring import (
    CompatibilityResult,
    Component,
    ComponentScores,
    MatchReason,
    compatibility,
    explain,
    explanation_is_stable,
)
from .values import (
    PVQ21_ESS_CODES,
    PVQ21_ITEMS,
    PVQ21_SCALE,
    VALUE_PHRASES,
    SchwartzValue,
    ValueRatings,
    shared_value_priorities,
    values_similarity,
)

__all__ = [
    "AGE_SLOTS",
    "DEFAULT_POLICY",
    "EARTH_RADIUS_KM",
    "GENDER_CODES",
    "GRID_DEGREES",
    "NO_FREQUENCIES",
    "NO_HISTORY",
    "PVQ21_ESS_CODES",
    "PVQ21_ITEMS",
    "PVQ21_SCALE",
    "VALUE_DIMENSIONS",
    "VALUE_PHRASES",
    "AttachmentPenaltyWeights",
    "AttachmentScores",
    "CandidateProfile",
    "CompatibilityPolicy",
    "CompatibilityResult",
    "Component",
    "ComponentScores",
    "ComponentWeights",
    "DirectionalDemographics",
    "DocumentFrequencies",
    "Eligibility",
    "Gender",
    "IneligibilityReason",
    "MatchReason",
    "PairExplainer",
    "PairHistory",
    "PopulationColumns",
    "SchwartzValue",
    "ScoringPopulation",
    "SharedInterests",
    "ValueRatings",
    "age_window_score",
    "age_years_outside",
    "attachment_compatibility",
    "check_eligibility",
    "compatibility",
    "directional_demographics",
    "distance_phrase",
    "distance_score",
    "explain",
    "explanation_is_stable",
    "harmonic_mean",
    "haversine_km",
    "interest_similarity",
    "public_distance_km",
    "restate_distance",
    "score_for_years_outside",
    "shared_interests",
    "shared_value_priorities",
    "snap_degrees",
    "values_similarity",
]
