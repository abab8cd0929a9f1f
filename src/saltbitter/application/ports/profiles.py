"""Ports of the profiles-and-photos capability (issue 4)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["PhotoRepository", "ProfileRepository"]


class ProfileRepository(Protocol):
    """Members' dating profiles (table ``profiles``)."""


class PhotoRepository(Protocol):
    """Photo metadata, ordered per member (table ``photos``); bytes live in a PhotoStore."""
