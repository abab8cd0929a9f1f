"""In-memory fake of assessments' ``ProfileValues`` port: the values questionnaire's
scores written into the profiles' state of the same connection."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from saltbitter.application.ports.assessments import ProfileValues
from saltbitter.domain.compatibility import ValueRatings
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes_profiles import ProfilesState
from saltbitter.testing.memory import InMemoryRepository

__all__ = ["InMemoryProfileValues"]


class InMemoryProfileValues(InMemoryRepository, ProfileValues):
    async def set_values(self, user_id: UserId, values: ValueRatings, now: datetime) -> bool:
        profiles = self._connection.state(ProfilesState).profiles
        profile = profiles.get(user_id)
        if profile is None:
            return False
        profiles[user_id] = replace(profile, values=values, updated_at=now)
        return True
