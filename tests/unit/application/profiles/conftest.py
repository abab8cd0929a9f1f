from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from saltbitter.application.profiles.dto import LocationView, ProfileCommand
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import AccountStatus, User
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes_accounts import AccountsState
from support.container import FakeWorld

JPEG = b"\xff\xd8\xff\xe0 a small jpeg"


def principal_of(user: User) -> Principal:
    return Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True)


def command(**overrides: Any) -> ProfileCommand:
    fields: dict[str, Any] = {
        "gender": "woman",
        "genders_sought": ["man", "nonbinary"],
        "age_min": 27,
        "age_max": 38,
        "interests": ["Hiking", "jazz", "baking"],
        "location": LocationView(52.52, 13.405),
        "max_distance_km": 25.0,
        "bio": "Weekend hiker.",
    }
    fields.update(overrides)
    return ProfileCommand(**fields)


class ProfilesWorld(FakeWorld):
    """The production container over an in-memory world, with profiles' helpers."""

    def add_member(self, *, status: AccountStatus = AccountStatus.ACTIVE) -> Principal:
        user = a_user(status=status)
        self.database[AccountsState].users[user.id] = user
        return principal_of(user)


@pytest.fixture
def world() -> ProfilesWorld:
    return ProfilesWorld()
