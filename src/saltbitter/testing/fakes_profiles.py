"""In-memory fakes of the profile and photo repositories (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.profiles import PhotoRepository, ProfileRepository

__all__ = ["InMemoryPhotoRepository", "InMemoryProfileRepository", "ProfilesState"]


@dataclass
class ProfilesState:
    """Committed profile and photo rows of one in-memory database."""


class InMemoryProfileRepository(ProfileRepository):
    def __init__(self, state: ProfilesState) -> None:
        self._state = state


class InMemoryPhotoRepository(PhotoRepository):
    def __init__(self, state: ProfilesState) -> None:
        self._state = state
