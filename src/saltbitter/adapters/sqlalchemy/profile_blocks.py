"""Blocks as profile views read them: the safety capability's ``blocks`` table, on the
request's connection."""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy.block_reads import SqlaBlockReads
from saltbitter.application.ports.profiles import ProfileBlocks

__all__ = ["SqlaProfileBlocks"]


class SqlaProfileBlocks(SqlaBlockReads, ProfileBlocks):
    """A block in either direction makes each profile invisible to the other."""

    __slots__ = ()
