"""Identifiers and secrets from the operating system's cryptographic random source."""

from __future__ import annotations

import secrets
import uuid
from uuid import UUID

from saltbitter.application.ports.system import IdGenerator, SecretGenerator

__all__ = ["SecretsGenerator", "UuidIdGenerator"]

CODE_DIGITS = 6
TOKEN_BYTES = 32  # 256 bits of entropy


class UuidIdGenerator(IdGenerator):
    """Random version 4 UUIDs (122 random bits from ``os.urandom``)."""

    def new_id(self) -> UUID:
        return uuid.uuid4()


class SecretsGenerator(SecretGenerator):
    """One-time codes and opaque tokens from the ``secrets`` module."""

    def one_time_code(self) -> str:
        return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"

    def opaque_token(self) -> str:
        return secrets.token_urlsafe(TOKEN_BYTES)
