"""Building other members' public views: shared by profile lookups, daily sets, discover.

Not a use case: a use case (here or in matching) calls it inside its own unit of work.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.application.profiles.dto import PhotoView, PublicPhotoView, PublicProfileView
from saltbitter.domain.accounts import age_on
from saltbitter.domain.profiles import (
    ModerationStatus,
    Photo,
    may_view_profile,
    public_distance_km,
)
from saltbitter.domain.shared import UserId

__all__ = ["PublicProfiles", "blocked_between", "photo_views"]


async def blocked_between(
    uow: UnitOfWork,  # noqa: ARG001 - the safety capability reads its blocks through it
    viewer_id: UserId,  # noqa: ARG001
    target_ids: Collection[UserId],  # noqa: ARG001
) -> frozenset[UserId]:
    """The targets that ``viewer_id`` blocked or was blocked by.

    Blocking arrives with the safety capability (docs/product-rules.md 7); until then no
    pair is blocked. This is the one place to ask its repository (for example
    ``uow.blocks.between(viewer_id, target_ids)``): every profile view goes through it.
    """
    return frozenset()


async def photo_views(store: PhotoStore, photos: Sequence[Photo]) -> list[PhotoView]:
    return [PhotoView.of(photo, await store.signed_url(photo.storage_key)) for photo in photos]


@dataclass(frozen=True, slots=True)
class PublicProfiles:
    """Public views of members, as one viewer may see them."""

    store: PhotoStore
    clock: Clock

    async def visible_to(
        self, uow: UnitOfWork, viewer_id: UserId, target_ids: Sequence[UserId]
    ) -> dict[UserId, PublicProfileView]:
        """Views of the targets the viewer may see, in ``target_ids`` order; the rest
        (unknown, paused, suspended, blocked, without a profile) are simply left out."""
        wanted = list(dict.fromkeys(target_ids))
        profiles = await uow.profiles.get_many([*wanted, viewer_id])
        photos = await uow.photos.list_for_many(wanted)
        blocked = await blocked_between(uow, viewer_id, wanted)
        viewer_profile = profiles.get(viewer_id)
        today = self.clock.now().date()
        views: dict[UserId, PublicProfileView] = {}
        for target_id in wanted:
            profile = profiles.get(target_id)
            if profile is None:
                continue
            user = await uow.users.get(target_id)
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
