"""Building other members' public views: shared by the profile lookups.

Not a use case: a use case calls it, inside its transaction when it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.profiles import (
    PhotoRepository,
    ProfileBlocks,
    ProfileMembers,
    ProfileRepository,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.profiles.dto import PhotoView, PublicPhotoView, PublicProfileView
from saltbitter.domain.accounts import age_on
from saltbitter.domain.profiles import (
    ModerationStatus,
    Photo,
    may_view_profile,
    public_distance_km,
)
from saltbitter.domain.shared import UserId

__all__ = ["PublicProfiles", "photo_views"]


async def photo_views(store: PhotoStore, photos: Sequence[Photo]) -> list[PhotoView]:
    return [PhotoView.of(photo, await store.signed_url(photo.storage_key)) for photo in photos]


@dataclass(frozen=True, slots=True)
class PublicProfiles:
    """Public views of members, as one viewer may see them.

    Every profile view goes through it, so blocks (``ProfileBlocks``, either direction)
    are respected everywhere.
    """

    profiles: ProfileRepository
    photos: PhotoRepository
    members: ProfileMembers
    blocks: ProfileBlocks
    store: PhotoStore
    clock: Clock

    async def visible_to(
        self, viewer_id: UserId, target_ids: Sequence[UserId]
    ) -> dict[UserId, PublicProfileView]:
        """Views of the targets the viewer may see, in ``target_ids`` order; the rest
        (unknown, paused, suspended, blocked, without a profile) are simply left out."""
        wanted = list(dict.fromkeys(target_ids))
        profiles = await self.profiles.get_many([*wanted, viewer_id])
        photos = await self.photos.list_for_many(wanted)
        blocked = await self.blocks.blocked_between(viewer_id, wanted)
        members = await self.members.get_many([t for t in wanted if t in profiles])
        viewer_profile = profiles.get(viewer_id)
        today = self.clock.now().date()
        views: dict[UserId, PublicProfileView] = {}
        for target_id in wanted:
            profile = profiles.get(target_id)
            if profile is None:
                continue
            user = members.get(target_id)
            if user is None or not may_view_profile(
                viewer_id,
                target_id,
                target_status=user.status,
                target_profile=profile,
                blocked=target_id in blocked,
            ):
                continue
            distance = (
                None
                if viewer_profile is None or target_id == viewer_id
                else public_distance_km(viewer_profile.location, profile.location)
            )
            views[target_id] = PublicProfileView(
                user_id=target_id,
                display_name=user.display_name,
                age=age_on(user.birthdate, today),
                gender=profile.gender,
                bio=profile.bio,
                interests=list(profile.interests),
                relationship_goal=profile.relationship_goal,
                distance_km=distance,
                photos=[
                    PublicPhotoView(
                        await self.store.signed_url(photo.storage_key),
                        photo.position,
                        photo.width,
                        photo.height,
                    )
                    for photo in photos.get(target_id, [])
                    # Others only ever see approved photos (the owner sees all of theirs).
                    if photo.moderation is ModerationStatus.APPROVED
                ],
            )
        return views
