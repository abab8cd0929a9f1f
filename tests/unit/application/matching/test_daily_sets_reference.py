"""The daily job's stored sets are the scalar rule's, whichever batch scorer scored them.

The job scores the delivered pairs in one batch (``BatchScorer.score_pairs``) and builds
the reasons from those components (``PairExplainer``, ``explain``'s texts from inputs
prepared once per member); this checks the result against
``compatibility`` itself over random populations: the same reasons word for word, the
same order, totals and components to 1e-9, and cards saying the reasons' distance.
"""

from __future__ import annotations

import gc
import random
from datetime import date
from uuid import uuid4

import pytest

from saltbitter.adapters.cache_values import encode_value
from saltbitter.adapters.numpy_scoring import NumpyBatchScorer
from saltbitter.application.matching.caching import CachedDailySet, daily_key
from saltbitter.application.matching.cards import card_of
from saltbitter.application.matching.daily import GenerateDailySets, _cached
from saltbitter.domain.compatibility import (
    ComponentScores,
    Gender,
    SchwartzValue,
    compatibility,
    explanation_is_stable,
    public_distance_km,
)
from saltbitter.domain.profiles import ImageType, ModerationStatus, Photo, PhotoId
from saltbitter.testing.fakes_matching import MatchingState
from saltbitter.testing.fakes_profiles import ProfilesState
from support.matching_ports import in_memory_requests

from .conftest import MatchingWorld

_TAGS = [f"tag-{n}" for n in range(14)]
_TOLERANCE = 1e-9


async def _random_people(world: MatchingWorld, rng: random.Random, count: int) -> None:
    genders = list(Gender)
    for number in range(count):
        values = None
        if rng.random() < 0.8:
            values = {value: float(rng.randint(1, 7)) for value in SchwartzValue}
        attachment = None
        if rng.random() < 0.8:
            attachment = (rng.uniform(1, 7), rng.uniform(1, 7))
        low = rng.randint(18, 40)
        await world.seed(
            display_name=f"P{number}",
            birthdate=date(rng.randint(1976, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            gender=genders[number % 3],
            seeks=rng.sample(genders, rng.randint(1, 3)),
            age_min=low,
            age_max=low + rng.randint(5, 40),
            at=(52.5 + rng.gauss(0, 0.15), 13.4 + rng.gauss(0, 0.2)),
            max_distance_km=rng.choice([15.0, 40.0, 120.0]),
            interests=rng.sample(_TAGS, rng.randint(3, 7)),
            values=values,
            attachment=attachment,
            consent=rng.random() < 0.9,
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_stored_sets_are_the_scalar_rules(seed: int) -> None:
    world = MatchingWorld(scorer=NumpyBatchScorer())
    await _random_people(world, random.Random(seed), 45)
    summary = await (await world.get(GenerateDailySets))(all_timezones=True)
    assert summary.delivered > 100
    async with in_memory_requests(world.database)() as request:
        members = {m.user_id: m for m in await request.candidates.members(world.clock.now())}
        frequencies = await request.candidates.interest_frequencies()
    policy = world.matching_policy.compatibility
    for (viewer, _), daily in world.database[MatchingState].daily_sets.items():
        me = members[viewer].profile
        expected = sorted(
            (
                (
                    entry.candidate_id,
                    compatibility(me, members[entry.candidate_id].profile, frequencies, policy),
                )
                for entry in daily.entries
            ),
            key=lambda item: (-item[1].total, item[0]),
        )
        assert [entry.candidate_id for entry in daily.entries] == [c for c, _ in expected]
        cached = await world.cache.get_value(daily_key(viewer), CachedDailySet)
        assert cached is not None
        for entry, (candidate, result), item in zip(
            daily.entries, expected, cached.items, strict=True
        ):
            assert entry.reasons == tuple(reason.text for reason in result.reasons)
            assert entry.total == pytest.approx(result.total, abs=_TOLERANCE)
            for name in ("attachment", "interests", "values", "demographics"):
                got, want = getattr(entry.components, name), getattr(result.components, name)
                assert got == pytest.approx(want, abs=_TOLERANCE)
            other = members[candidate].profile
            assert item.card.distance_km == public_distance_km(
                me.latitude, me.longitude, other.latitude, other.longitude
            )


@pytest.mark.parametrize("seed", [4, 5])
async def test_cached_sets_are_byte_for_byte_the_rendered_sets(seed: int) -> None:
    """The job writes its cache entries as plain mappings (``_fresh_cached``): they must
    encode to exactly what the rendered ``CachedDailySet`` (cards by ``card_of``, views
    by ``compatibility_view``) encodes to, so readers decode the same thing."""
    world = MatchingWorld(scorer=NumpyBatchScorer())
    await _random_people(world, random.Random(seed), 45)
    photos_state = world.database[ProfilesState].photos
    for number, user in enumerate(list(world.database[ProfilesState].profiles)[::2]):
        photo = PhotoId(uuid4())
        photos_state[photo] = Photo(
            id=photo,
            user_id=user,
            position=0,
            storage_key=f"photos/{number}.jpg",
            content_type=ImageType.JPEG,
            width=640 + number,
            height=480,
            size_bytes=1000,
            moderation=ModerationStatus.APPROVED,
            created_at=world.clock.now(),
        )
    await (await world.get(GenerateDailySets))(all_timezones=True)
    async with in_memory_requests(world.database)() as request:
        members = {m.user_id: m for m in await request.candidates.members(world.clock.now())}
        photos = await request.candidates.main_photos(list(members))
    assert photos
    checked = 0
    for (viewer, _), daily in world.database[MatchingState].daily_sets.items():
        me = members[viewer]
        cards = {}
        for entry in daily.entries:
            other = members[entry.candidate_id]
            shown = public_distance_km(
                me.profile.latitude,
                me.profile.longitude,
                other.profile.latitude,
                other.profile.longitude,
            )
            cards[other.user_id] = card_of(me, other, photos.get(other.user_id), distance_km=shown)
        rendered = _cached(daily, me.timezone, cards, just_scored=True)
        assert await world.cache.get(daily_key(viewer)) == encode_value(rendered)
        checked += len(daily.entries)
    assert checked > 100


def test_unstable_components_are_left_to_the_scalar_rule() -> None:
    at_threshold = ComponentScores(attachment=0.75, interests=0.4, values=0.6, demographics=0.8)
    tied = ComponentScores(attachment=0.3, interests=0.2, values=0.625, demographics=0.8)
    clear = ComponentScores(attachment=0.6, interests=0.4, values=0.7, demographics=0.8)
    assert not explanation_is_stable(at_threshold)
    assert not explanation_is_stable(tied)  # values 0.2·0.625 = interests 0.25·0.5
    assert explanation_is_stable(clear)


async def test_tied_totals_are_ordered_as_the_scalar_rule_orders_them() -> None:
    """Identical candidates tie exactly: the set is ordered by member id, as the
    reference orders ties (a set with near-equal totals is left to the scalar rule)."""
    world = MatchingWorld(scorer=NumpyBatchScorer())
    viewer = await world.seed(display_name="Viewer", values=dict.fromkeys(SchwartzValue, 5.0))
    twins = [
        await world.seed(
            display_name=f"Twin {n}", gender=Gender.MAN, seeks=(Gender.WOMAN,), at=(52.53, 13.41)
        )
        for n in range(3)
    ]
    await (await world.get(GenerateDailySets))(all_timezones=True)
    daily = world.database[MatchingState].daily_sets[(viewer, date(2026, 1, 15))]
    assert [entry.candidate_id for entry in daily.entries] == sorted(twins)
    assert len({entry.total for entry in daily.entries}) == 1


async def test_the_run_leaves_the_garbage_collector_as_it_found_it() -> None:
    """The job pauses the collector while it reads and freezes its pool (speed only):
    afterwards nothing stays frozen and the collector runs again."""
    world = MatchingWorld(scorer=NumpyBatchScorer()).with_policy(pause_collector=True)
    await _random_people(world, random.Random(6), 12)
    assert gc.isenabled()
    await (await world.get(GenerateDailySets))(all_timezones=True)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.disable()
    try:
        await (await world.get(GenerateDailySets))(all_timezones=True)
        assert not gc.isenabled()  # a caller that had paused it keeps it paused
    finally:
        gc.enable()
