"""The embedded scalar batch scorer (the port's default and the reference)."""

from __future__ import annotations

from uuid import UUID

import pytest

from saltbitter.application.ports.batch_scoring import (
    ScalarBatchScorer,
    exclusions_from_histories,
)
from saltbitter.domain.compatibility import (
    CandidateProfile,
    Gender,
    PairHistory,
    ScoringPopulation,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.shared import UserId


def _population() -> ScoringPopulation:
    def member(number: int, gender: Gender, seeks: Gender, longitude: float) -> CandidateProfile:
        return CandidateProfile(
            user_id=UserId(UUID(int=number)),
            age=30,
            gender=gender,
            genders_sought=frozenset({seeks}),
            age_min=25,
            age_max=35,
            latitude=52.5,
            longitude=longitude,
            max_distance_km=50.0,
            interests=frozenset({"hiking", f"only-{number}"}),
        )

    return ScoringPopulation.build(
        [
            member(1, Gender.WOMAN, Gender.MAN, 13.40),
            member(2, Gender.MAN, Gender.WOMAN, 13.41),
            member(3, Gender.MAN, Gender.WOMAN, 13.45),
            member(4, Gender.MAN, Gender.MAN, 13.40),
        ]
    )


def test_top_candidates_rank_eligible_members_only() -> None:
    population = _population()
    lists = ScalarBatchScorer().top_candidates(population, 5)
    ranked = lists.ranked(0)
    assert [row for row, _ in ranked] == [1, 2]  # the nearer man first; not row 3
    assert ranked[0][1] > ranked[1][1]
    assert [row for row, _ in lists.ranked(1)] == [0]
    assert lists.ranked(3) == ()


def test_exclusions_come_from_pair_histories() -> None:
    population = _population()
    first, second = population.user_id_at(0), population.user_id_at(1)
    stranger = UserId(UUID(int=99))
    exclusions = exclusions_from_histories(
        population,
        [
            (first, second, PairHistory(viewer_liked=True)),
            (second, first, PairHistory(candidate_liked=True)),  # a like received hides nobody
            (first, stranger, PairHistory(blocked=True)),
        ],
    )
    assert exclusions == {0: frozenset({1})}
    lists = ScalarBatchScorer().top_candidates(population, 5, exclusions=exclusions)
    assert [row for row, _ in lists.ranked(0)] == [2]
    one = ScalarBatchScorer().score_one_to_many(population, 0, excluded={1})
    assert list(one.eligible) == [False, False, True, False]
    assert len(one) == 4


def test_rows_are_validated() -> None:
    with pytest.raises(ValidationFailed):
        ScalarBatchScorer().score_one_to_many(_population(), 9)
    with pytest.raises(ValidationFailed):
        ScalarBatchScorer().top_candidates(_population(), -1)
