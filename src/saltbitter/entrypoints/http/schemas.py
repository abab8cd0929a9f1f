"""Wire formats at the edge (msgspec); outputs reuse the application's dataclasses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Generic, TypeVar

import msgspec

__all__ = [
    "CodeConfirmation",
    "EmailOnly",
    "Items",
    "LoginRequest",
    "PasswordResetConfirmation",
    "RefreshRequest",
    "RegisterRequest",
]

T = TypeVar("T")

Email = Annotated[str, msgspec.Meta(max_length=320, examples=["ada@example.org"])]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
Code = Annotated[str, msgspec.Meta(max_length=12, examples=["123456"])]
Token = Annotated[str, msgspec.Meta(max_length=4096)]


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    display_name: Annotated[str, msgspec.Meta(max_length=200)]
    birthdate: date
    timezone: Annotated[str, msgspec.Meta(max_length=64, examples=["Europe/Berlin"])]
    accept_terms: bool
    accept_privacy: bool


class CodeConfirmation(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    code: Code


class EmailOnly(msgspec.Struct, forbid_unknown_fields=True):
    email: Email


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Token


class PasswordResetConfirmation(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    code: Code
    new_password: Password


class Items(msgspec.Struct, Generic[T]):
    """The list shape shared by the whole API (plus ``next_cursor`` where paged)."""

    items: list[T]
