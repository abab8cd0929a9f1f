"""Credentials adapters: argon2id password hashing and HS256 JWT access tokens."""

from saltbitter.adapters.security.passwords import Argon2PasswordHasher
from saltbitter.adapters.security.tokens import JwtAccessTokenCodec

__all__ = ["Argon2PasswordHasher", "JwtAccessTokenCodec"]
