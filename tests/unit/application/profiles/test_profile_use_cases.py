"""Own profile (put, get, completeness) and others' public views, through the fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from saltbitter.application.ports.assessments import StoredAssessment
from saltbitter.application.profiles.dto import LocationView
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.application.profiles.photos import ListMyPhotos, UploadPhoto
from saltbitter.application.profiles.profile import GetMyProfile, GetPublicProfile, PutMyProfile
from saltbitter.application.profiles.views import PublicProfiles
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.attachment import AttachmentStyle
from saltbitter.domain.compatibility import Gender, SchwartzValue
from saltbitter.domain.errors import NotFound, ValidationFailed
from saltbitter.domain.profiles import Location, ModerationStatus, Visibility
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_assessments import AssessmentsState
from saltbitter.testing.fakes_profiles import ProfilesState

from .conftest import JPEG, ProfilesWorld, command


async def test_put_creates_the_profile_and_announces_the_change(world: ProfilesWorld) -> None:
    me = world.add_member()
    view = await (await world.get(PutMyProfile))(me, command())

    assert view.user_id == me.user_id
    assert view.gender is Gender.WOMAN
    assert view.genders_sought == [Gender.MAN, Gender.NON_BINARY]
    assert view.interests == ["hiking", "jazz", "baking"]
    assert view.location == LocationView(52.52, 13.405)
    assert view.visibility is Visibility.VISIBLE
    assert view.values is None
    assert view.updated_at == world.clock.now()
    assert view.completeness.score == 0.5
    assert view.completeness.missing == ["photo", "assessment"]
    stored = world.database[ProfilesState].profiles[me.user_id]
    assert stored.location == Location(52.52, 13.405)
    assert world.events(ProfileChanged) == [ProfileChanged(user_id=me.user_id)]
    assert await (await world.get(GetMyProfile))(me) == view


async def test_put_replaces_the_whole_profile(world: ProfilesWorld) -> None:
    me = world.add_member()
    await (await world.get(PutMyProfile))(me, command(relationship_goal="long_term"))
    values = {value.value: 3 for value in SchwartzValue} | {"benevolence": 7}
    view = await (await world.get(PutMyProfile))(
        me, command(bio="", interests=["chess", "tea", "go"], values=values, visibility="paused")
    )
    assert view.relationship_goal is None
    assert view.bio == ""
    assert view.values is not None
    assert view.values["benevolence"] == 7
    assert view.values["power"] == 3
    assert view.visibility is Visibility.PAUSED
    assert view.completeness.missing == ["photo", "bio", "assessment"]
    assert len(world.events(ProfileChanged)) == 2


async def test_the_display_name_changes_on_the_account(world: ProfilesWorld) -> None:
    me = world.add_member()
    view = await (await world.get(PutMyProfile))(me, command(display_name="  Ada L.  "))
    assert view.display_name == "Ada L."
    assert world.database[AccountsState].users[me.user_id].display_name == "Ada L."
    kept = await (await world.get(PutMyProfile))(me, command())
    assert kept.display_name == "Ada L."


async def test_bad_fields_are_all_reported_and_nothing_changes(world: ProfilesWorld) -> None:
    me = world.add_member()
    with pytest.raises(ValidationFailed) as caught:
        await (await world.get(PutMyProfile))(
            me,
            command(
                display_name="   ",
                gender="unknown",
                age_min=50,
                age_max=30,
                interests=["solo"],
                location=LocationView(100.0, 0.0),
            ),
        )
    assert {e.field: e.code for e in caught.value.errors} == {
        "display_name": "required",
        "gender": "invalid_choice",
        "age_min": "age_range_inverted",
        "interests": "too_few",
        "location.lat": "out_of_range",
    }
    assert world.database[ProfilesState].profiles == {}
    assert world.events(ProfileChanged) == []


async def test_without_a_profile_get_answers_the_empty_profile(world: ProfilesWorld) -> None:
    me = world.add_member()
    view = await (await world.get(GetMyProfile))(me)
    assert not view.saved
    assert (view.user_id, view.gender, view.location, view.updated_at) == (
        me.user_id,
        None,
        None,
        None,
    )
    assert (view.interests, view.bio, view.genders_sought) == ([], "", [])
    assert (view.completeness.score, view.completeness.missing) == (
        0.0,
        ["photo", "bio", "interests", "assessment"],
    )
    # A photo can come before the profile, and counts already.
    await (await world.get(UploadPhoto))(me, JPEG)
    early = await (await world.get(GetMyProfile))(me)
    assert (early.completeness.score, early.completeness.missing) == (
        0.25,
        ["bio", "interests", "assessment"],
    )
    assert world.database[ProfilesState].profiles == {}  # reading creates nothing


async def test_completeness_counts_photos_and_the_assessment(world: ProfilesWorld) -> None:
    me = world.add_member()
    await (await world.get(PutMyProfile))(me, command())
    await (await world.get(UploadPhoto))(me, JPEG)
    world.database[AssessmentsState].records.append(
        StoredAssessment(
            id=uuid4(),
            user_id=me.user_id,
            instrument="ecr-r",
            instrument_version="1",
            answers={},
            anxiety=3.0,
            avoidance=2.5,
            style=AttachmentStyle.SECURE,
            near_boundary=False,
            taken_at=datetime(2026, 1, 2, tzinfo=UTC),
        )
    )
    view = await (await world.get(GetMyProfile))(me)
    assert (view.completeness.score, view.completeness.missing) == (1.0, [])


async def _with_profile(world: ProfilesWorld, **overrides: object) -> UserId:
    member = world.add_member()
    await (await world.get(PutMyProfile))(member, command(**overrides))  # type: ignore[arg-type]
    return member.user_id


async def test_a_visible_member_is_shown_roughly_and_without_private_fields(
    world: ProfilesWorld,
) -> None:
    viewer = world.add_member()
    await (await world.get(PutMyProfile))(viewer, command(location=LocationView(52.52, 13.405)))
    target = world.add_member()
    await (await world.get(PutMyProfile))(
        target,
        command(
            gender="man",
            genders_sought=["woman"],
            location=LocationView(53.5511, 9.9937),
            relationship_goal="friendship",
            values={value.value: 5 for value in SchwartzValue},
        ),
    )
    await (await world.get(UploadPhoto))(target, JPEG)
    world.database[AccountsState].users[target.user_id].birthdate = date(1990, 1, 16)

    view = await (await world.get(GetPublicProfile))(viewer, target.user_id)

    assert view.user_id == target.user_id
    assert view.gender is Gender.MAN
    assert view.age == 35  # the clock says 2026-01-15: the birthday is tomorrow
    assert view.distance_km == 255
    assert view.relationship_goal is not None
    assert len(view.photos) == 1
    assert world.store.fetch(view.photos[0].url) is not None
    shown = set(type(view).__dataclass_fields__)
    assert shown.isdisjoint({"location", "lat", "lon", "birthdate", "genders_sought", "values"})


@pytest.mark.parametrize(
    "hide",
    ["paused", "suspended", "deactivated", "no_profile", "unknown"],
)
async def test_hidden_members_are_not_found(world: ProfilesWorld, hide: str) -> None:
    viewer = world.add_member()
    target = world.add_member()
    if hide != "no_profile":
        await (await world.get(PutMyProfile))(
            target, command(visibility="paused" if hide == "paused" else "visible")
        )
    if hide in {"suspended", "deactivated"}:
        user = world.database[AccountsState].users[target.user_id]
        user.status = AccountStatus(hide)
    target_id = UserId(uuid4()) if hide == "unknown" else target.user_id
    with pytest.raises(NotFound) as caught:
        await (await world.get(GetPublicProfile))(viewer, target_id)
    assert caught.value.code == "profile_not_found"


async def test_own_public_view_has_no_distance_and_works_while_paused(
    world: ProfilesWorld,
) -> None:
    me = world.add_member()
    await (await world.get(PutMyProfile))(me, command(visibility="paused"))
    view = await (await world.get(GetPublicProfile))(me, me.user_id)
    assert view.distance_km is None


async def test_a_viewer_without_a_profile_sees_no_distance(world: ProfilesWorld) -> None:
    target = await _with_profile(world)
    view = await (await world.get(GetPublicProfile))(world.add_member(), target)
    assert view.distance_km is None


async def test_public_views_of_many_keep_the_order_and_skip_the_hidden(
    world: ProfilesWorld,
) -> None:
    viewer = world.add_member()
    first = await _with_profile(world)
    paused = await _with_profile(world, visibility="paused")
    second = await _with_profile(world, bio="Second.")
    public_profiles = await world.get(PublicProfiles)
    views = await public_profiles.visible_to(viewer.user_id, [second, paused, first, second])
    assert list(views) == [second, first]
    assert views[second].bio == "Second."


async def test_profile_views_do_not_leak_between_members(world: ProfilesWorld) -> None:
    mine = world.add_member()
    theirs = world.add_member()
    await (await world.get(PutMyProfile))(mine, command(bio="Mine."))
    await (await world.get(PutMyProfile))(theirs, command(bio="Theirs."))
    assert (await (await world.get(GetMyProfile))(mine)).bio == "Mine."
    assert (await (await world.get(GetMyProfile))(theirs)).bio == "Theirs."


async def test_others_only_see_approved_photos(world: ProfilesWorld) -> None:
    target = world.add_member()
    await (await world.get(PutMyProfile))(target, command())
    shown = await (await world.get(UploadPhoto))(target, JPEG)
    pending = await (await world.get(UploadPhoto))(target, JPEG)
    photos = world.database[ProfilesState].photos
    photos[pending.photo_id] = replace(
        photos[pending.photo_id], moderation=ModerationStatus.PENDING
    )
    view = await (await world.get(GetPublicProfile))(world.add_member(), target.user_id)
    assert [photo.position for photo in view.photos] == [shown.position]
    assert len(await (await world.get(ListMyPhotos))(target)) == 2
