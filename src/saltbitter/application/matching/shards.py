"""Splitting the daily sweep into shards that keep the exposure cap without talking.

ADR 0034: due members are partitioned by a hash of their id; every shard allocates its
own viewers' sets against the whole pool, and may place candidate c at most
floor((cap − P_c) / S) times, P_c being c's exposure from sets made before the sweep
began. The S shards together place c at most cap − P_c times, whatever order they run
in and however often one is retried, so the cap holds with nothing shared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from saltbitter.domain.errors import ValidationFailed

__all__ = ["ShardCap", "shard_cap", "shard_of"]


def shard_of(member: UUID, shards: int) -> int:
    """The member's shard in 0..shards−1: stable across processes and hosts (unlike
    ``hash``), and spread evenly over random ids."""
    if shards < 1:
        raise ValidationFailed.single("shards", "must be at least 1")
    digest = hashlib.blake2b(member.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


@dataclass(frozen=True, slots=True)
class ShardCap:
    """The allocation's cap for one shard, and the starting exposure that leaves each
    candidate exactly its share: candidate c gets ``cap − initial[c]`` places."""

    cap: int
    initial: Mapping[int, int]


def shard_cap(cap: int, shards: int, prior: Mapping[int, int]) -> ShardCap:
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
