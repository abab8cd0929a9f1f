"""The member's own profile, and other members' public views of theirs."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.profiles import (
    AssessmentCompletion,
    PhotoRepository,
    ProfileMembers,
    ProfileRepository,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.profiles.dto import MyProfileView, ProfileCommand, PublicProfileView
from saltbitter.application.profiles.events import ProfileChanged
from saltbitter.application.profiles.views import PublicProfiles
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import check_display_name
from saltbitter.domain.errors import FieldError, NotFound, ValidationFailed
from saltbitter.domain.profiles import (
    Completeness,
    Profile,
    parse_profile,
    profile_completeness,
)
from saltbitter.domain.shared import UserId

__all__ = ["GetMyProfile", "GetPublicProfile", "PutMyProfile"]


def _profile_not_found() -> NotFound:
    return NotFound("No such profile.", code="profile_not_found")


async def _completeness(
    photos: PhotoRepository,
    assessments: AssessmentCompletion,
    user_id: UserId,
    profile: Profile | None,
) -> Completeness:
    return profile_completeness(
        profile,
        photo_count=await photos.count_for(user_id),
        assessment_done=await assessments.has_completed(user_id),
    )


@dataclass(frozen=True, slots=True)
class PutMyProfile:
    """Create or replace the caller's profile; every field problem is reported at once.

    The display name lives on the account and changes there when given. Matching
    caches go stale, so ``profiles.profile_changed`` leaves through the outbox.
    """

    transaction: Transaction
    members: ProfileMembers
    profiles: ProfileRepository
    photos: PhotoRepository
    assessments: AssessmentCompletion
    outbox: Outbox
    clock: Clock

    async def __call__(self, principal: Principal, command: ProfileCommand) -> MyProfileView:
        errors: list[FieldError] = []
        profile: Profile | None = None
        try:
            profile = parse_profile(
                principal.user_id,
                gender=command.gender,
                genders_sought=command.genders_sought,
                age_min=command.age_min,
                age_max=command.age_max,
                bio=command.bio,
                interests=command.interests,
                relationship_goal=command.relationship_goal,
                values=command.values,
                lat=command.location.lat,
                lon=command.location.lon,
                max_distance_km=command.max_distance_km,
                visibility=command.visibility,
                now=self.clock.now(),
            )
        except ValidationFailed as invalid:
            errors.extend(invalid.errors)
        if command.display_name is not None:
            problem = check_display_name(command.display_name)
            if problem is not None:
                errors.append(problem)
        if errors or profile is None:
            raise ValidationFailed(errors)

        async with self.transaction:
            member = await self.members.get(principal.user_id)
            if member is None:
                raise NotFound("No such user.", code="user_not_found")
            display_name = member.display_name
            if command.display_name is not None:
                display_name = command.display_name.strip()
                await self.members.rename(member.user_id, display_name)
            await self.profiles.save(profile)
            self.outbox.add(ProfileChanged(user_id=profile.user_id))
            completeness = await _completeness(
                self.photos, self.assessments, profile.user_id, profile
            )
            await self.transaction.commit()
        return MyProfileView.of(profile, display_name, completeness)


@dataclass(frozen=True, slots=True)
class GetMyProfile:
    """The caller's profile with its completeness.

    Before the first save: the empty profile (``saved`` False) with what is already
    done (photos can come first, and the assessment) and what is missing.
    """

    members: ProfileMembers
    profiles: ProfileRepository
    photos: PhotoRepository
    assessments: AssessmentCompletion

    async def __call__(self, principal: Principal) -> MyProfileView:
        me = principal.user_id
        member = await self.members.get(me)
        if member is None:
            raise NotFound("No such user.", code="user_not_found")
        profile = await self.profiles.get(me)
        completeness = await _completeness(self.photos, self.assessments, me, profile)
        if profile is None:
            return MyProfileView.empty(me, member.display_name, completeness)
        return MyProfileView.of(profile, member.display_name, completeness)


@dataclass(frozen=True, slots=True)
class GetPublicProfile:
    """Another member's public view, only where allowed: they have a profile, are
    active (not suspended), visible (not paused) and not blocked either way. Everything
    else is the same 404, so the answer does not reveal who exists or who paused."""

    public_profiles: PublicProfiles

    async def __call__(self, principal: Principal, user_id: UserId) -> PublicProfileView:
        views = await self.public_profiles.visible_to(principal.user_id, [user_id])
        view = views.get(user_id)
        if view is None:
            raise _profile_not_found()
        return view
