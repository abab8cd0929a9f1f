"""Splitting the daily sweep into shards that keep the exposure cap without talking.

ADR 0034: due members are partitioned by a hash of their id; every shard allocates its
own viewers' sets against the whole pool, and may place candidate c at most
floor((cap − P_c) / S) times, P_c being c's exposure from sets made before the sweep
began. The S shards together place c at most cap − P_c times, whatever order they run
in and however often one is retried, so the cap holds with nothing shared.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from saltbitter.domain.errors import ValidationFailed

__all__ = ["DailyShard", "ShardCap", "shard_cap", "shard_count", "shard_of"]

K = TypeVar("K")


def shard_of(member: UUID, shards: int) -> int:
    """The member's shard in 0..shards−1: stable across processes and hosts (unlike
    ``hash``), and spread evenly over random ids."""
    if shards < 1:
        raise ValidationFailed.single("shards", "must be at least 1")
    digest = hashlib.blake2b(member.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def shard_count(due: int, shard_members: int, exposure_cap: int | None) -> int:
    """How many shards a sweep of ``due`` members gets: one per ``shard_members`` (at
    least one), never more than the exposure cap (each shard needs a place per candidate)."""
    if shard_members < 1:
        raise ValidationFailed.single("shard_members", "must be at least 1")
    wanted = max(1, math.ceil(due / shard_members))
    return wanted if exposure_cap is None else min(wanted, exposure_cap)


@dataclass(frozen=True, slots=True)
class DailyShard:
    """One shard of a daily sweep: the due members with ``shard_of(id, count) == index``,
    counted as due at ``as_of`` (the sweep's start, the same for every shard), whose
    quotas come from the exposure of sets made before ``as_of``."""

    index: int
    count: int
    as_of: datetime

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValidationFailed.single("shard", "index must be in 0..count-1")
        if self.as_of.utcoffset() is None:  # compared with stored, aware instants
            raise ValidationFailed.single("as_of", "must carry a timezone")

    def holds(self, member: UUID) -> bool:
        return shard_of(member, self.count) == self.index


@dataclass(frozen=True, slots=True)
class ShardCap(Generic[K]):
    """The allocation's cap for one shard, and the starting exposure that leaves each
    candidate exactly its share: candidate c gets ``cap − initial[c]`` places."""

    cap: int
    initial: Mapping[K, int]


def shard_cap(cap: int, shards: int, prior: Mapping[K, int]) -> ShardCap[K]:
    """Per-shard quotas of the exposure ``cap`` for candidates with ``prior`` exposure
    (rows; sets made before the sweep began). Every shard gets the same quotas."""
    if cap < 1:
        raise ValidationFailed.single("cap", "must be at least 1")
    if not 1 <= shards <= cap:
        raise ValidationFailed.single("shards", "must be between 1 and the exposure cap")
    share = cap // shards
    initial = {
        row: share - max(0, cap - count) // shards for row, count in prior.items() if count > 0
    }
    return ShardCap(cap=share, initial={row: used for row, used in initial.items() if used})
