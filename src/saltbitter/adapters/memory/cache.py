"""A cache in a dict: the embedded default when no Redis URL is configured.

Honest about its limits: entries live in this process only (each worker process has its
own, and a restart empties it), and expiry uses ``time.monotonic`` so wall-clock jumps do
not resurrect or kill entries. Expired entries are dropped when read and swept now and
then when written, so memory stays bounded by what is live. Not thread-safe: use it from
one event loop, as the application does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from saltbitter.adapters.cache_values import decode_value, encode_value, with_hole
from saltbitter.application.ports.cache import Cache, T

__all__ = ["InProcessCache"]

_SWEEP_EVERY = 1024  # writes between two sweeps of expired entries


class InProcessCache(Cache):
    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._entries: dict[str, tuple[bytes, float]] = {}
        self._writes = 0

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if self._now() >= expires_at:
            del self._entries[key]
            return None
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1")
        self._entries[key] = (bytes(value), self._now() + ttl_seconds)
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self._sweep()

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def get_value(self, key: str, kind: type[T]) -> T | None:
        raw = await self.get(key)
        return None if raw is None else decode_value(raw, kind)

    def decoded(self, raw: bytes, kind: type[T]) -> T | None:
        return decode_value(raw, kind)

    async def set_value(self, key: str, value: object, ttl_seconds: int) -> None:
        await self.set(key, encode_value(value), ttl_seconds)

    def with_hole(self, value: Mapping[str, object], hole: str) -> Callable[[int], object]:
        return with_hole(value, hole)

    async def ping(self) -> bool:
        return True

    def __len__(self) -> int:
        """Entries held, expired ones not yet swept included."""
        return len(self._entries)

    def _sweep(self) -> None:
        now = self._now()
        for key in [k for k, (_, expires_at) in self._entries.items() if now >= expires_at]:
            del self._entries[key]
