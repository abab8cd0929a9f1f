"""Profiles' role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.profiles import (
    AssessmentCompletion,
    PhotoRepository,
    ProfileBlocks,
    ProfileMembers,
    ProfileRepository,
)
from saltbitter.testing.fakes_profile_blocks import InMemoryProfileBlocks
from saltbitter.testing.fakes_profiles import (
    InMemoryAssessmentCompletion,
    InMemoryPhotoRepository,
    InMemoryProfileMembers,
    InMemoryProfileRepository,
)

__all__ = ["ProfilesFakes"]


class ProfilesFakes(Provider):
    scope = Scope.REQUEST

    profiles = provide(InMemoryProfileRepository, provides=ProfileRepository, override=True)
    photos = provide(InMemoryPhotoRepository, provides=PhotoRepository, override=True)
    members = provide(InMemoryProfileMembers, provides=ProfileMembers, override=True)
    completion = provide(InMemoryAssessmentCompletion, provides=AssessmentCompletion, override=True)
    blocks = provide(InMemoryProfileBlocks, provides=ProfileBlocks, override=True)
