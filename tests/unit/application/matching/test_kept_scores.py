"""Discovery's per-process memo (``KeptScores``): it may only ever answer what the
reference rule would answer for the inputs of this call."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.adapters.memory import InProcessCache
from saltbitter.application.matching.caching import FREQUENCIES_KEY, store_frequencies
from saltbitter.application.matching.kept import KeptScores
from saltbitter.domain.compatibility import (
    DEFAULT_POLICY,
    CandidateProfile,
    DocumentFrequencies,
    Gender,
    compatibility,
)
from saltbitter.domain.shared import UserId
from saltbitter.testing.strategies.compatibility import candidate_profiles, document_frequencies
from support.hypothesis_budget import budget

VIEWER = UserId(UUID(int=1))
MEMBER = UserId(UUID(int=2))


@settings(max_examples=budget(100))
@given(
    st.lists(
        st.tuples(
            candidate_profiles(user_id=st.just(VIEWER)),
            candidate_profiles(user_id=st.just(MEMBER)),
            document_frequencies(),
        ),
        min_size=1,
        max_size=4,
    ),
    st.data(),
)
def test_a_kept_score_is_always_the_rule_s_score_for_the_inputs_given(
    calls: list[tuple[CandidateProfile, CandidateProfile, DocumentFrequencies]],
    data: st.DataObject,
) -> None:
    # The same pair scored again with any of its profiles or the table changed (or not).
    kept = KeptScores()
    for _ in range(2 * len(calls)):
        viewer, member, frequencies = data.draw(st.sampled_from(calls))
        answer = kept.compatibility(viewer, member, frequencies, DEFAULT_POLICY)
        assert answer == compatibility(viewer, member, frequencies, DEFAULT_POLICY)


@settings(max_examples=budget(30))
@given(candidate_profiles(user_id=st.just(VIEWER)), candidate_profiles(user_id=st.just(MEMBER)))
def test_unchanged_inputs_reuse_the_kept_result_and_a_change_does_not(
    viewer: CandidateProfile, member: CandidateProfile
) -> None:
    kept = KeptScores()
    table = DocumentFrequencies(total_users=10, counts={"hiking": 9})
    first = kept.compatibility(viewer, member, table, DEFAULT_POLICY)
    assert kept.compatibility(viewer, member, table, DEFAULT_POLICY) is first
    moved = replace(member, interests=member.interests ^ {"falconry"})
    assert kept.compatibility(viewer, moved, table, DEFAULT_POLICY) == compatibility(
        viewer, moved, table, DEFAULT_POLICY
    )
    rarer = DocumentFrequencies(total_users=10, counts={"hiking": 1})
    assert kept.compatibility(viewer, moved, rarer, DEFAULT_POLICY) == compatibility(
        viewer, moved, rarer, DEFAULT_POLICY
    )


def test_the_pairs_kept_are_bounded() -> None:
    kept = KeptScores(limit=2)
    base = CandidateProfile(
        user_id=VIEWER,
        age=30,
        gender=Gender.WOMAN,
        genders_sought=frozenset({Gender.MAN}),
        age_min=18,
        age_max=99,
        latitude=52.5,
        longitude=13.4,
        max_distance_km=50,
    )
    table = DocumentFrequencies(total_users=1, counts={})
    for number in range(2, 6):
        other = replace(base, user_id=UserId(UUID(int=number)))
        kept.compatibility(base, other, table, DEFAULT_POLICY)
    assert len(kept) == 2


class _Counting:
    """A rarity table source that counts its (expensive) aggregate reads."""

    def __init__(self, table: DocumentFrequencies) -> None:
        self.table = table
        self.reads = 0

    async def interest_frequencies(self) -> DocumentFrequencies:
        self.reads += 1
        return self.table


async def test_the_rarity_table_is_decoded_once_per_cached_entry() -> None:
    cache, kept = InProcessCache(), KeptScores()
    source = _Counting(DocumentFrequencies(total_users=3, counts={"jazz": 2}))
    first = await kept.frequencies(cache, source.interest_frequencies, 60)
    assert first == source.table
    assert source.reads == 1  # missing: counted and cached
    again = await kept.frequencies(cache, source.interest_frequencies, 60)
    same = await kept.frequencies(cache, source.interest_frequencies, 60)
    assert again == first
    assert same is again
    newer = DocumentFrequencies(total_users=4, counts={"jazz": 1})
    await store_frequencies(cache, newer, 60)
    assert await kept.frequencies(cache, source.interest_frequencies, 60) == newer
    await cache.delete(FREQUENCIES_KEY)
    assert await kept.frequencies(cache, source.interest_frequencies, 60) == source.table
    assert source.reads == 2
