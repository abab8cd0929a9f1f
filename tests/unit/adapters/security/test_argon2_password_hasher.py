from __future__ import annotations

import pytest

from saltbitter.adapters.security import Argon2PasswordHasher

# Cheap parameters keep the suite fast; one test exercises the real default profile.
CHEAP = {"time_cost": 1, "memory_cost_kib": 64, "parallelism": 1}


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(**CHEAP)


async def test_hash_then_verify(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert await hasher.verify(hashed, "correct horse battery staple")


async def test_a_wrong_password_is_false(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")
    assert not await hasher.verify(hashed, "Correct horse battery staple")
    assert not await hasher.verify(hashed, "")


@pytest.mark.parametrize(
    "stored", ["", "not a hash", "fake-v1$abc", "$argon2id$v=19$m=64,t=1,p=1$broken"]
)
async def test_an_invalid_hash_is_false_not_an_error(
    hasher: Argon2PasswordHasher, stored: str
) -> None:
    assert not await hasher.verify(stored, "password")


async def test_hashes_are_salted(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.hash("same") != await hasher.hash("same")


async def test_unicode_passwords_round_trip(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("pâsswörd ☕ 密码")
    assert await hasher.verify(hashed, "pâsswörd ☕ 密码")
    assert not await hasher.verify(hashed, "password ☕ 密码")


async def test_needs_rehash_when_parameters_change(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("secret")
    assert not hasher.needs_rehash(hashed)
    stronger = Argon2PasswordHasher(**{**CHEAP, "time_cost": 2})
    assert stronger.needs_rehash(hashed)
    assert await stronger.verify(hashed, "secret")  # old hashes still verify
    assert not stronger.needs_rehash(await stronger.hash("secret"))


def test_needs_rehash_for_foreign_hashes(hasher: Argon2PasswordHasher) -> None:
    assert hasher.needs_rehash("fake-v1$abc")


async def test_decoy_verification_returns_nothing_and_never_raises(
    hasher: Argon2PasswordHasher,
) -> None:
    assert await hasher.verify_decoy("anything") is None
    assert await hasher.verify_decoy("") is None


async def test_the_default_profile_is_rfc_9106_low_memory() -> None:
    hasher = Argon2PasswordHasher()
    hashed = await hasher.hash("secret")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await hasher.verify(hashed, "secret")
    assert not hasher.needs_rehash(hashed)
