"""Profiles and photo metadata on SQL (tables in ``tables_members``)."""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.profiles import PhotoRepository, ProfileRepository

__all__ = ["SqlaPhotoRepository", "SqlaProfileRepository"]


class SqlaProfileRepository(ProfileRepository):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db


class SqlaPhotoRepository(PhotoRepository):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db
