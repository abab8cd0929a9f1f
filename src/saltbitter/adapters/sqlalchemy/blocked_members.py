"""Matching's read of blocks on SQL: the safety capability's ``blocks`` table, on the
request's connection (inside the caller's transaction when one is open)."""

from __future__ import annotations

from saltbitter.adapters.sqlalchemy.block_reads import SqlaBlockReads
from saltbitter.application.ports.matching import BlockedMembers

__all__ = ["SqlaBlockedMembers"]


class SqlaBlockedMembers(SqlaBlockReads, BlockedMembers):
    """Blocks in either direction hide both members from each other."""

    __slots__ = ()
