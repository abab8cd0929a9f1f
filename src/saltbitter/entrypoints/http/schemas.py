"""Wire formats at the edge (msgspec); outputs reuse the application's dataclasses.

msgspec enforces the outer bounds (sizes, types). Rules that the use cases check, so that
one answer lists every bad field, are still stated in the OpenAPI document with
:func:`documented`, so clients and the document agree on what is valid.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

import msgspec

from saltbitter.application.accounts.dto import SessionView
from saltbitter.application.assessments.dto import ConsentView
from saltbitter.application.profiles.dto import PhotoView
from saltbitter.domain.accounts import MIN_PASSWORD_LENGTH

__all__ = [
    "CURSOR_PATTERN",
    "CodeConfirmation",
    "ConsentList",
    "EmailOnly",
    "Items",
    "LoginRequest",
    "PasswordResetConfirmation",
    "PhotoList",
    "RefreshRequest",
    "RegisterRequest",
    "SessionList",
    "documented",
]

T = TypeVar("T")

# Page cursors are opaque base64url tokens (only next_cursor values are valid).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"


def documented(**schema: Any) -> msgspec.Meta:
    """JSON Schema keywords (``minLength=10``) for the OpenAPI document only: the use case
    checks them, so that every broken rule is reported in one answer."""
    return msgspec.Meta(extra_json_schema={"extra": schema})


Email = Annotated[str, msgspec.Meta(max_length=320, examples=["ada@example.org"])]
# Only registration checks the address; the other routes answer alike for any text, so
# that nobody can probe which addresses have accounts.
NewEmail = Annotated[Email, documented(format="email")]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
NewPassword = Annotated[
    str,
    msgspec.Meta(max_length=1024, description="At least 10 characters, not a common password"),
    documented(min_length=MIN_PASSWORD_LENGTH),
]
Code = Annotated[str, msgspec.Meta(max_length=12, examples=["123456"])]
Token = Annotated[str, msgspec.Meta(max_length=4096)]
DisplayName = Annotated[
    str,
    msgspec.Meta(max_length=200, description="1 to 50 printable characters (trimmed)"),
    documented(min_length=1, max_length=50, pattern=r"\S"),
]
Accepted = Annotated[bool, documented(const=True)]


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: NewEmail
    password: NewPassword
    display_name: DisplayName
    birthdate: Annotated[date, msgspec.Meta(description="At least 18 years ago")]
    timezone: Annotated[
        str, msgspec.Meta(max_length=64, description="IANA time zone", examples=["Europe/Berlin"])
    ]
    accept_terms: Accepted
    accept_privacy: Accepted


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
    new_password: NewPassword


class Items(msgspec.Struct, Generic[T]):
    """The list shape shared by the whole API (plus ``next_cursor`` where paged)."""

    items: list[T]


# Concrete list types: a generic ``Items[X]`` would be named after X's module path in the
# OpenAPI document.
class SessionList(Items[SessionView]):
    pass


class ConsentList(Items[ConsentView]):
    pass


class PhotoList(Items[PhotoView]):
    pass
