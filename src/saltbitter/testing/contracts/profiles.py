"""Contracts of the profiles ports, for the in-memory fakes, SQLite and PostgreSQL.

Subclass the contracts with a ``request_scope`` fixture (see ``contracts.scopes``): the
ports come from one request scope per transaction, as a use case gets them.
"""

# The ports are Protocols: resolving them by their (abstract) class is the point.
# mypy: disable-error-code="type-abstract"

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.assessments import AssessmentRepository, StoredAssessment
from saltbitter.application.ports.profiles import (
    AssessmentCompletion,
    PhotoRepository,
    ProfileBlocks,
    ProfileMembers,
    ProfileRepository,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import AccountStatus, User
from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.errors import Conflict
from saltbitter.domain.profiles import ImageType, Location, PhotoId, RelationshipGoal, Visibility
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.builders_profiles import a_photo, a_profile, some_values
from saltbitter.testing.contracts.scopes import RequestScope

__all__ = [
    "AssessmentCompletionContract",
    "PhotoRepositoryContract",
    "ProfileBlocksContract",
    "ProfileMembersContract",
    "ProfileRepositoryContract",
]

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Ports:
    """The ports these contracts use, on one request's connection."""

    transaction: Transaction
    users: UserRepository  # only to seed the members the rows belong to
    assessments: AssessmentRepository  # only to seed an assessment
    profiles: ProfileRepository
    photos: PhotoRepository
    members: ProfileMembers
    completion: AssessmentCompletion
    blocks: ProfileBlocks

    async def commit(self) -> None:
        await self.transaction.commit()


@asynccontextmanager
async def _transaction(request_scope: RequestScope) -> AsyncIterator[_Ports]:
    """One request scope and its transaction; leaving without ``commit`` rolls back."""
    async with request_scope() as r:
        ports = _Ports(
            await r.get(Transaction),
            await r.get(UserRepository),
            await r.get(AssessmentRepository),
            await r.get(ProfileRepository),
            await r.get(PhotoRepository),
            await r.get(ProfileMembers),
            await r.get(AssessmentCompletion),
            await r.get(ProfileBlocks),
        )
        async with ports.transaction:
            yield ports


async def _members(request_scope: RequestScope, count: int) -> list[User]:
    users = [a_user() for _ in range(count)]
    async with _transaction(request_scope) as s:
        for user in users:
            s.users.add(user)
        await s.commit()
    return users


class ProfileRepositoryContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_a_saved_profile_comes_back_equal(self, request_scope: RequestScope) -> None:
        (user,) = await _members(request_scope, 1)
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
        async with _transaction(request_scope) as s:
            await s.profiles.save(profile)
            await s.commit()
        async with _transaction(request_scope) as s:
            loaded = await s.profiles.get(user.id)
        assert loaded == profile
        assert loaded is not None
        assert loaded.values == some_values()
        assert loaded.updated_at.utcoffset() == timedelta(0)

    async def test_optional_fields_may_be_empty(self, request_scope: RequestScope) -> None:
        (user,) = await _members(request_scope, 1)
        profile = a_profile(
            user.id, bio="", relationship_goal=None, values=None, visibility=Visibility.PAUSED
        )
        async with _transaction(request_scope) as s:
            await s.profiles.save(profile)
            await s.commit()
        async with _transaction(request_scope) as s:
            assert await s.profiles.get(user.id) == profile

    async def test_saving_again_replaces_the_profile(self, request_scope: RequestScope) -> None:
        (user,) = await _members(request_scope, 1)
        first = a_profile(user.id, updated_at=T0)
        second = replace(
            first,
            bio="Changed my mind.",
            interests=("chess", "tea", "opera", "running"),
            relationship_goal=RelationshipGoal.FRIENDSHIP,
            values=some_values(),
            updated_at=T0 + timedelta(hours=1),
        )
        async with _transaction(request_scope) as s:
            await s.profiles.save(first)
            await s.commit()
        async with _transaction(request_scope) as s:
            await s.profiles.save(second)
            await s.commit()
        async with _transaction(request_scope) as s:
            assert await s.profiles.get(user.id) == second

    async def test_get_many_returns_only_existing_profiles(
        self, request_scope: RequestScope
    ) -> None:
        with_profile, other_with_profile, without = await _members(request_scope, 3)
        async with _transaction(request_scope) as s:
            await s.profiles.save(a_profile(with_profile.id))
            await s.profiles.save(a_profile(other_with_profile.id, bio="Other"))
            await s.commit()
        async with _transaction(request_scope) as s:
            found = await s.profiles.get_many(
                [with_profile.id, without.id, other_with_profile.id, with_profile.id]
            )
            assert await s.profiles.get_many([]) == {}
        assert set(found) == {with_profile.id, other_with_profile.id}
        assert found[other_with_profile.id].bio == "Other"

    async def test_unsaved_and_rolled_back_profiles_are_absent(
        self, request_scope: RequestScope
    ) -> None:
        (user,) = await _members(request_scope, 1)
        async with _transaction(request_scope) as s:
            await s.profiles.save(a_profile(user.id))
        async with _transaction(request_scope) as s:
            assert await s.profiles.get(user.id) is None
            assert await s.profiles.get(UserId(a_user().id)) is None


class PhotoRepositoryContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_photos_list_by_position_and_count(self, request_scope: RequestScope) -> None:
        me, other = await _members(request_scope, 2)
        second = a_photo(me.id, 1, content_type=ImageType.PNG, width=300, height=200)
        first = a_photo(me.id, 0, created_at=T0)
        theirs = a_photo(other.id, 0)
        async with _transaction(request_scope) as s:
            s.photos.add(second)
            s.photos.add(theirs)
            s.photos.add(first)
            await s.commit()
        async with _transaction(request_scope) as s:
            assert await s.photos.list_for(me.id) == [first, second]
            assert await s.photos.count_for(me.id) == 2
            assert await s.photos.count_for(other.id) == 1
            assert await s.photos.count_for(UserId(a_user().id)) == 0
            many = await s.photos.list_for_many([me.id, other.id, UserId(a_user().id)])
        assert dict(many) == {me.id: [first, second], other.id: [theirs]}

    async def test_a_position_holds_one_photo(self, request_scope: RequestScope) -> None:
        (me,) = await _members(request_scope, 1)
        async with _transaction(request_scope) as s:
            s.photos.add(a_photo(me.id, 2))
            await s.commit()
        # The conflict may surface when staging or at commit: both are allowed.
        with pytest.raises(Conflict) as caught:  # noqa: PT012
            async with _transaction(request_scope) as s:
                s.photos.add(a_photo(me.id, 2))
                await s.commit()
        assert caught.value.code == "photo_slot_taken"
        async with _transaction(request_scope) as s:
            assert await s.photos.count_for(me.id) == 1

    async def test_delete_removes_only_that_photo(self, request_scope: RequestScope) -> None:
        me, other = await _members(request_scope, 2)
        mine, kept, theirs = a_photo(me.id, 0), a_photo(me.id, 1), a_photo(other.id, 0)
        async with _transaction(request_scope) as s:
            for photo in (mine, kept, theirs):
                s.photos.add(photo)
            await s.commit()
        async with _transaction(request_scope) as s:
            assert await s.photos.delete(mine.id) is True
            assert await s.photos.delete(mine.id) is False
            await s.commit()
        async with _transaction(request_scope) as s:
            assert await s.photos.list_for(me.id) == [kept]
            assert await s.photos.list_for(other.id) == [theirs]

    async def test_storage_keys_of_existing_photos(self, request_scope: RequestScope) -> None:
        me, other = await _members(request_scope, 2)
        mine, theirs, gone = a_photo(me.id, 0), a_photo(other.id, 0), a_photo(me.id, 1)
        async with _transaction(request_scope) as s:
            for photo in (mine, theirs, gone):
                s.photos.add(photo)
            await s.commit()
        async with _transaction(request_scope) as s:
            await s.photos.delete(gone.id)
            await s.commit()
        unknown = PhotoId(a_user().id)
        async with _transaction(request_scope) as s:
            found = await s.photos.storage_keys([mine.id, theirs.id, gone.id, unknown])
            assert await s.photos.storage_keys([]) == set()
        assert found == {mine.storage_key, theirs.storage_key}

    async def test_save_order_permutes_positions(self, request_scope: RequestScope) -> None:
        me, other = await _members(request_scope, 2)
        photos = [a_photo(me.id, position) for position in range(6)]
        theirs = a_photo(other.id, 0)
        async with _transaction(request_scope) as s:
            for photo in [*photos, theirs]:
                s.photos.add(photo)
            await s.commit()
        # A rotation: every photo moves, so positions collide midway if done naively.
        wanted = [photos[-1].id, *(photo.id for photo in photos[:-1])]
        async with _transaction(request_scope) as s:
            await s.photos.save_order(me.id, wanted)
            await s.commit()
        async with _transaction(request_scope) as s:
            listed = await s.photos.list_for(me.id)
            assert [photo.id for photo in listed] == wanted
            assert [photo.position for photo in listed] == list(range(6))
            assert listed[0] == replace(photos[-1], position=0)
            assert await s.photos.list_for(other.id) == [theirs]

    async def test_save_order_refuses_a_list_that_is_not_the_members_photos(
        self, request_scope: RequestScope
    ) -> None:
        me, other = await _members(request_scope, 2)
        mine, theirs = a_photo(me.id, 0), a_photo(other.id, 0)
        async with _transaction(request_scope) as s:
            s.photos.add(mine)
            s.photos.add(theirs)
            await s.commit()
        for wrong in ([theirs.id], [mine.id, theirs.id], [mine.id, mine.id], []):
            async with _transaction(request_scope) as s:
                with pytest.raises(ValueError, match="exactly"):
                    await s.photos.save_order(me.id, [PhotoId(i) for i in wrong])
        async with _transaction(request_scope) as s:
            assert await s.photos.list_for(me.id) == [mine]

    async def test_rolled_back_photos_are_absent(self, request_scope: RequestScope) -> None:
        (me,) = await _members(request_scope, 1)
        async with _transaction(request_scope) as s:
            s.photos.add(a_photo(me.id, 0))
        async with _transaction(request_scope) as s:
            assert await s.photos.list_for(me.id) == []


class ProfileMembersContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_members_are_read_from_their_accounts(self, request_scope: RequestScope) -> None:
        ada, bo = await _members(request_scope, 2)
        unknown = UserId(uuid4())
        async with _transaction(request_scope) as s:
            member = await s.members.get(ada.id)
            assert await s.members.get(unknown) is None
            many = await s.members.get_many([ada.id, bo.id, unknown, ada.id])
            assert await s.members.get_many([]) == {}
        assert member is not None
        assert (member.user_id, member.display_name) == (ada.id, ada.display_name)
        assert (member.status, member.birthdate) == (ada.status, ada.birthdate)
        assert member.status is AccountStatus.ACTIVE
        assert set(many) == {ada.id, bo.id}
        assert many[bo.id].display_name == bo.display_name

    async def test_a_rename_shows_once_committed(self, request_scope: RequestScope) -> None:
        ada, bo = await _members(request_scope, 2)
        async with _transaction(request_scope) as s:
            await s.members.rename(ada.id, "Ada L.")
            renamed = await s.members.get(ada.id)
            assert renamed is not None
            assert renamed.display_name == "Ada L."  # the transaction reads its own write
        async with _transaction(request_scope) as s:  # rolled back
            unchanged = await s.members.get(ada.id)
            assert unchanged is not None
            assert unchanged.display_name == ada.display_name
            await s.members.rename(ada.id, "Ada L.")
            await s.commit()
        async with _transaction(request_scope) as s:
            after = await s.members.get(ada.id)
            other = await s.members.get(bo.id)
        assert after is not None
        assert after.display_name == "Ada L."
        assert other is not None
        assert other.display_name == bo.display_name


class AssessmentCompletionContract:
    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_completed_once_any_assessment_is_stored(
        self, request_scope: RequestScope
    ) -> None:
        ada, bo = await _members(request_scope, 2)
        async with _transaction(request_scope) as s:
            assert await s.completion.has_completed(ada.id) is False
            s.assessments.add(
                StoredAssessment(
                    id=uuid4(),
                    user_id=ada.id,
                    instrument="ecr-r",
                    instrument_version="en-2013-06-05",
                    answers=dict.fromkeys(range(1, 37), 4),
                    anxiety=4.0,
                    avoidance=4.0,
                    style=AttachmentStyle.FEARFUL,
                    near_boundary=True,
                    taken_at=T0,
                )
            )
            await s.commit()
        async with _transaction(request_scope) as s:
            assert await s.completion.has_completed(ada.id) is True
            assert await s.completion.has_completed(bo.id) is False


class ProfileBlocksContract:
    """Until the safety capability stores blocks, nobody is blocked."""

    @pytest.fixture
    def request_scope(self) -> RequestScope:
        raise NotImplementedError("provide request scopes on one empty store")

    async def test_no_pair_is_blocked_yet(self, request_scope: RequestScope) -> None:
        ada, bo = await _members(request_scope, 2)
        async with _transaction(request_scope) as s:
            assert await s.blocks.blocked_between(ada.id, [bo.id]) == frozenset()
            assert await s.blocks.blocked_between(ada.id, []) == frozenset()
