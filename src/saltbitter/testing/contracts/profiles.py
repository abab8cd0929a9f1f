"""Contracts of the profile and photo repositories (reached through the unit of work).

Subclass :class:`ProfileRepositoryContract` and :class:`PhotoRepositoryContract` with a
``uow_factory`` fixture, as for ``UnitOfWorkContract``: the in-memory fake, SQLite and
PostgreSQL run the same tests.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from saltbitter.domain.accounts import User
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import Conflict
from saltbitter.domain.profiles import ImageType, Location, PhotoId, RelationshipGoal, Visibility
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.builders_profiles import a_photo, a_profile, some_values
from saltbitter.testing.contracts.persistence import UowFactory

__all__ = ["PhotoRepositoryContract", "ProfileRepositoryContract"]

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


async def _members(uow_factory: UowFactory, count: int) -> list[User]:
    users = [a_user() for _ in range(count)]
    async with uow_factory() as uow:
        for user in users:
            uow.users.add(user)
        await uow.commit()
    return users


class ProfileRepositoryContract:
    @pytest.fixture
    def uow_factory(self) -> UowFactory:
        raise NotImplementedError("provide a factory of units of work on one empty store")

    async def test_a_saved_profile_comes_back_equal(self, uow_factory: UowFactory) -> None:
        (user,) = await _members(uow_factory, 1)
        profile = a_profile(
            user.id,
            gender=Gender.NON_BINARY,
            genders_sought=frozenset(Gender),
            bio="Line one\nline two ☕",
            interests=("rock climbing", "zoë's café", "go"),
            values=some_values(),
            location=Location(-33.8688, 151.2093),
            max_distance_km=12.5,
            updated_at=T0,
        )
        async with uow_factory() as uow:
            await uow.profiles.save(profile)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.profiles.get(user.id)
        assert loaded == profile
        assert loaded is not None
        assert loaded.values == some_values()
        assert loaded.updated_at.utcoffset() == timedelta(0)

    async def test_optional_fields_may_be_empty(self, uow_factory: UowFactory) -> None:
        (user,) = await _members(uow_factory, 1)
        profile = a_profile(
            user.id, bio="", relationship_goal=None, values=None, visibility=Visibility.PAUSED
        )
        async with uow_factory() as uow:
            await uow.profiles.save(profile)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.profiles.get(user.id) == profile

    async def test_saving_again_replaces_the_profile(self, uow_factory: UowFactory) -> None:
        (user,) = await _members(uow_factory, 1)
        first = a_profile(user.id, updated_at=T0)
        second = replace(
            first,
            bio="Changed my mind.",
            interests=("chess", "tea", "opera", "running"),
            relationship_goal=RelationshipGoal.FRIENDSHIP,
            values=some_values(),
            updated_at=T0 + timedelta(hours=1),
        )
        async with uow_factory() as uow:
            await uow.profiles.save(first)
            await uow.commit()
        async with uow_factory() as uow:
            await uow.profiles.save(second)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.profiles.get(user.id) == second

    async def test_get_many_returns_only_existing_profiles(self, uow_factory: UowFactory) -> None:
        with_profile, other_with_profile, without = await _members(uow_factory, 3)
        async with uow_factory() as uow:
            await uow.profiles.save(a_profile(with_profile.id))
            await uow.profiles.save(a_profile(other_with_profile.id, bio="Other"))
            await uow.commit()
        async with uow_factory() as uow:
            found = await uow.profiles.get_many(
                [with_profile.id, without.id, other_with_profile.id, with_profile.id]
            )
            assert await uow.profiles.get_many([]) == {}
        assert set(found) == {with_profile.id, other_with_profile.id}
        assert found[other_with_profile.id].bio == "Other"

    async def test_unsaved_and_rolled_back_profiles_are_absent(
        self, uow_factory: UowFactory
    ) -> None:
        (user,) = await _members(uow_factory, 1)
        async with uow_factory() as uow:
            await uow.profiles.save(a_profile(user.id))
        async with uow_factory() as uow:
            assert await uow.profiles.get(user.id) is None
            assert await uow.profiles.get(UserId(a_user().id)) is None


class PhotoRepositoryContract:
    @pytest.fixture
    def uow_factory(self) -> UowFactory:
        raise NotImplementedError("provide a factory of units of work on one empty store")

    async def test_photos_list_by_position_and_count(self, uow_factory: UowFactory) -> None:
        me, other = await _members(uow_factory, 2)
        second = a_photo(me.id, 1, content_type=ImageType.PNG, width=300, height=200)
        first = a_photo(me.id, 0, created_at=T0)
        theirs = a_photo(other.id, 0)
        async with uow_factory() as uow:
            uow.photos.add(second)
            uow.photos.add(theirs)
            uow.photos.add(first)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.photos.list_for(me.id) == [first, second]
            assert await uow.photos.count_for(me.id) == 2
            assert await uow.photos.count_for(other.id) == 1
            assert await uow.photos.count_for(UserId(a_user().id)) == 0
            many = await uow.photos.list_for_many([me.id, other.id, UserId(a_user().id)])
        assert dict(many) == {me.id: [first, second], other.id: [theirs]}

    async def test_a_position_holds_one_photo(self, uow_factory: UowFactory) -> None:
        (me,) = await _members(uow_factory, 1)
        async with uow_factory() as uow:
            uow.photos.add(a_photo(me.id, 2))
            await uow.commit()
        # The conflict may surface when staging or at commit: both are allowed.
        with pytest.raises(Conflict) as caught:  # noqa: PT012
            async with uow_factory() as uow:
                uow.photos.add(a_photo(me.id, 2))
                await uow.commit()
        assert caught.value.code == "photo_slot_taken"
        async with uow_factory() as uow:
            assert await uow.photos.count_for(me.id) == 1

    async def test_delete_removes_only_that_photo(self, uow_factory: UowFactory) -> None:
        me, other = await _members(uow_factory, 2)
        mine, kept, theirs = a_photo(me.id, 0), a_photo(me.id, 1), a_photo(other.id, 0)
        async with uow_factory() as uow:
            for photo in (mine, kept, theirs):
                uow.photos.add(photo)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.photos.delete(mine.id) is True
            assert await uow.photos.delete(mine.id) is False
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.photos.list_for(me.id) == [kept]
            assert await uow.photos.list_for(other.id) == [theirs]

    async def test_storage_keys_of_existing_photos(self, uow_factory: UowFactory) -> None:
        me, other = await _members(uow_factory, 2)
        mine, theirs, gone = a_photo(me.id, 0), a_photo(other.id, 0), a_photo(me.id, 1)
        async with uow_factory() as uow:
            for photo in (mine, theirs, gone):
                uow.photos.add(photo)
            await uow.commit()
        async with uow_factory() as uow:
            await uow.photos.delete(gone.id)
            await uow.commit()
        unknown = PhotoId(a_user().id)
        async with uow_factory() as uow:
            found = await uow.photos.storage_keys([mine.id, theirs.id, gone.id, unknown])
            assert await uow.photos.storage_keys([]) == set()
        assert found == {mine.storage_key, theirs.storage_key}

    async def test_save_order_permutes_positions(self, uow_factory: UowFactory) -> None:
        me, other = await _members(uow_factory, 2)
        photos = [a_photo(me.id, position) for position in range(6)]
        theirs = a_photo(other.id, 0)
        async with uow_factory() as uow:
            for photo in [*photos, theirs]:
                uow.photos.add(photo)
            await uow.commit()
        # A rotation: every photo moves, so positions collide midway if done naively.
        wanted = [photos[-1].id, *(photo.id for photo in photos[:-1])]
        async with uow_factory() as uow:
            await uow.photos.save_order(me.id, wanted)
            await uow.commit()
        async with uow_factory() as uow:
            listed = await uow.photos.list_for(me.id)
            assert [photo.id for photo in listed] == wanted
            assert [photo.position for photo in listed] == list(range(6))
            assert listed[0] == replace(photos[-1], position=0)
            assert await uow.photos.list_for(other.id) == [theirs]

    async def test_save_order_refuses_a_list_that_is_not_the_members_photos(
        self, uow_factory: UowFactory
    ) -> None:
        me, other = await _members(uow_factory, 2)
        mine, theirs = a_photo(me.id, 0), a_photo(other.id, 0)
        async with uow_factory() as uow:
            uow.photos.add(mine)
            uow.photos.add(theirs)
            await uow.commit()
        for wrong in ([theirs.id], [mine.id, theirs.id], [mine.id, mine.id], []):
            async with uow_factory() as uow:
                with pytest.raises(ValueError, match="exactly"):
                    await uow.photos.save_order(me.id, [PhotoId(i) for i in wrong])
        async with uow_factory() as uow:
            assert await uow.photos.list_for(me.id) == [mine]

    async def test_rolled_back_photos_are_absent(self, uow_factory: UowFactory) -> None:
        (me,) = await _members(uow_factory, 1)
        async with uow_factory() as uow:
            uow.photos.add(a_photo(me.id, 0))
        async with uow_factory() as uow:
            assert await uow.photos.list_for(me.id) == []
