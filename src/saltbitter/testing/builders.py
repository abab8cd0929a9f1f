"""Builders for domain objects with sensible defaults, for tests here and elsewhere."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from saltbitter.domain.accounts import AccountStatus, EmailAddress, Session, User
from saltbitter.domain.shared import SessionId, UserId

__all__ = ["a_session", "a_user"]

_DEFAULT_TIME = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def a_user(
    email: str | None = None,
    *,
    status: AccountStatus = AccountStatus.ACTIVE,
    created_at: datetime = _DEFAULT_TIME,
    password_hash: str = "fake-v1$not-a-real-hash",
) -> User:
    user_id = UserId(uuid4())
    return User(
        id=user_id,
        email=EmailAddress.parse(email or f"member-{user_id.hex[:12]}@example.org"),
        display_name="Sam",
        birthdate=date(1995, 5, 17),
        timezone="Europe/Berlin",
        password_hash=password_hash,
        created_at=created_at,
        status=status,
        email_verified_at=created_at if status is AccountStatus.ACTIVE else None,
    )


def a_session(user: User, *, at: datetime = _DEFAULT_TIME, device: str = "phone") -> Session:
    return Session(
        id=SessionId(uuid4()), user_id=user.id, device=device, created_at=at, last_used_at=at
    )
