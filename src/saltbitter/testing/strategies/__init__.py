"""Hypothesis strategies for other teams testing against the domain library."""

from saltbitter.testing.strategies.attachment import (
    answer_sets_for_population,
    answers,
    answers_for_style,
    ecr_r_answers,
    partial_answers,
    simulate_population,
)
from saltbitter.testing.strategies.compatibility import (
    attachment_scores,
    candidate_profiles,
    compatibility_policies,
    document_frequencies,
    interest_sets,
    populations,
    user_ids,
    value_ratings,
)
from saltbitter.testing.strategies.subscriptions import money, paid_tiers, subscriptions, tiers

__all__ = [
    "answer_sets_for_population",
    "answers",
    "answers_for_style",
    "attachment_scores",
    "candidate_profiles",
    "compatibility_policies",
    "document_frequencies",
    "ecr_r_answers",
    "interest_sets",
    "money",
    "paid_tiers",
    "partial_answers",
    "populations",
    "simulate_population",
    "subscriptions",
    "tiers",
    "user_ids",
    "value_ratings",
]
