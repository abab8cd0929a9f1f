"""Per-shard quotas of the exposure cap (ADR 0034): the shards together never exceed it."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.application.matching.shards import shard_cap, shard_of
from saltbitter.domain.errors import ValidationFailed


@given(
    cap=st.integers(1, 60),
    data=st.data(),
    prior=st.dictionaries(st.integers(0, 50), st.integers(0, 80), max_size=20),
)
def test_the_shards_together_never_place_a_candidate_beyond_the_cap(
    cap: int, data: st.DataObject, prior: dict[int, int]
) -> None:
    shards = data.draw(st.integers(1, cap))
    quota = shard_cap(cap, shards, prior)
    for row in [*prior, 999]:  # 999: a candidate nobody has seen yet
        places = quota.cap - quota.initial.get(row, 0)
        assert places >= 0
        assert places * shards <= max(0, cap - prior.get(row, 0))
        # And nothing is wasted beyond the rounding: one more place each would break it.
        assert (places + 1) * shards > max(0, cap - prior.get(row, 0))


def test_one_shard_is_the_single_allocation() -> None:
    quota = shard_cap(30, 1, {1: 10, 2: 0, 3: 40})
    assert quota.cap == 30
    assert quota.initial == {1: 10, 3: 30}


def test_more_shards_than_places_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        shard_cap(3, 4, {})
    with pytest.raises(ValidationFailed):
        shard_of(uuid.uuid4(), 0)


@given(st.uuids(), st.integers(1, 64))
def test_a_member_has_one_stable_shard(member: uuid.UUID, shards: int) -> None:
    assert 0 <= shard_of(member, shards) < shards
    assert shard_of(member, shards) == shard_of(uuid.UUID(str(member)), shards)


def test_shards_are_even_over_random_ids() -> None:
    counts = [0, 0, 0, 0]
    for index in range(4000):
        counts[shard_of(uuid.UUID(int=index * 2654435761 % (1 << 128)), 4)] += 1
    assert min(counts) > 800
