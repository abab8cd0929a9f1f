"""Per-shard quotas of the exposure cap (ADR 0034): the shards together never exceed it."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.application.matching.shards import DailyShard, shard_cap, shard_count, shard_of
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


def test_a_shard_is_one_of_its_count_as_of_an_aware_instant() -> None:
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    with pytest.raises(ValidationFailed):
        DailyShard(2, 2, now)
    with pytest.raises(ValidationFailed):
        DailyShard(0, 0, now)
    with pytest.raises(ValidationFailed):
        DailyShard(0, 1, now.replace(tzinfo=None))
    member = uuid.uuid4()
    assert DailyShard(shard_of(member, 3), 3, now).holds(member)


@given(st.integers(0, 20_000), st.integers(1, 5_000), st.none() | st.integers(1, 60))
def test_a_sweep_gets_one_shard_per_shard_members_at_most_the_cap(
    due: int, members: int, cap: int | None
) -> None:
    count = shard_count(due, members, cap)
    assert count >= 1
    assert cap is None or count <= cap
    if cap is None or math.ceil(due / members) <= cap:
        assert count == max(1, math.ceil(due / members))


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
