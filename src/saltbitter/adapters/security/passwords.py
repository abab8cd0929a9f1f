"""Password hashing with argon2id (argon2-cffi).

Hashing and verifying are CPU- and memory-bound on purpose (tens of milliseconds with the
default profile), so every call runs in a worker thread: the event loop keeps serving
other requests while a password is checked. argon2-cffi releases the GIL while hashing.
"""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from saltbitter.application.ports.security import PasswordHasher

__all__ = ["Argon2PasswordHasher"]

_DEFAULTS = RFC_9106_LOW_MEMORY


class Argon2PasswordHasher(PasswordHasher):
    """argon2id; defaults to RFC 9106's low-memory profile (t=3, m=64 MiB, p=4).

    Changing any parameter makes ``needs_rehash`` true for hashes made with the old
    ones, so the sign-in use case upgrades them transparently on the next login.
    """

    def __init__(
        self,
        *,
        time_cost: int = _DEFAULTS.time_cost,
        memory_cost_kib: int = _DEFAULTS.memory_cost,
        parallelism: int = _DEFAULTS.parallelism,
        hash_len: int = _DEFAULTS.hash_len,
        salt_len: int = _DEFAULTS.salt_len,
    ) -> None:
        self._hasher = _Argon2(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            hash_len=hash_len,
            salt_len=salt_len,
            type=Type.ID,
        )
        # Made once, with the same parameters as real hashes, so a decoy verification
        # costs exactly what a real one does. The password is random and thrown away.
        self._decoy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    async def verify_decoy(self, password: str) -> None:
        await asyncio.to_thread(self._verify, self._decoy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
