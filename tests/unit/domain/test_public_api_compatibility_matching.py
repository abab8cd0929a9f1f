"""The public API of the compatibility and matching packages is explicit and complete."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

EXPECTED = {
    "saltbitter.domain.compatibility": {
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
        "explain",
        "explanation_is_stable",
        "directional_demographics",
        "distance_phrase",
        "distance_score",
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
    },
    "saltbitter.domain.matching": {
        "DEFAULT_ALLOCATION_POLICY",
        "AllocationPolicy",
        "AllocationResult",
        "DailyAllocation",
        "DailyQuotas",
        "Decision",
        "FairnessReport",
        "Match",
        "MatchPair",
        "MatchStatus",
        "PairState",
        "RankedCandidateLists",
        "SwipeOutcome",
        "allocate_daily_sets",
        "allocate_ranked",
        "compatibility_ratio",
        "decide",
        "exposure_gini",
        "fairness_report",
        "refuse_self",
        "top_choices",
    },
    "saltbitter.application.ports.batch_scoring": {
        "BatchScorer",
        "OneToManyScores",
        "PairScores",
        "ScalarBatchScorer",
        "exclusions_from_histories",
    },
}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_is_explicit_and_every_name_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPECTED[module_name]
    assert len(module.__all__) == len(set(module.__all__))
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_the_domain_packages_and_the_port_load_without_numpy() -> None:
    code = (
        "import sys\n"
        "import saltbitter.domain.compatibility, saltbitter.domain.matching\n"
        "import saltbitter.application.ports.batch_scoring\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
