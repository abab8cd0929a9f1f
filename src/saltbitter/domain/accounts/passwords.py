"""Password policy: long enough and not a well-known password (docs/product-rules.md 2)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from saltbitter.domain.errors import FieldError

__all__ = ["MIN_PASSWORD_LENGTH", "password_problems"]

MIN_PASSWORD_LENGTH = 10
_MAX_PASSWORD_LENGTH = 1024  # bounds hashing work per request


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#")
    )


def password_problems(password: str, field: str = "password") -> list[FieldError]:
    """Every reason ``password`` is unacceptable; an empty list means it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            FieldError(
                field, f"Use at least {MIN_PASSWORD_LENGTH} characters.", "password_too_short"
            )
        ]
    if len(password) > _MAX_PASSWORD_LENGTH:
        return [FieldError(field, "Use at most 1024 characters.", "password_too_long")]
    if password.casefold() in _common_passwords() or len(set(password)) < 3:
        return [
            FieldError(
                field,
                "This password is too common or predictable; choose another.",
                "password_too_common",
            )
        ]
    return []
