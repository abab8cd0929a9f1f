"""The in-memory state of accounts' tables (its fakes are in ``saltbitter.testing.fakes``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from saltbitter.domain.accounts import (
    CodePurpose,
    ConsentRecord,
    OneTimeCode,
    RefreshToken,
    Session,
    User,
)
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import SessionId, UserId

__all__ = ["AccountsState"]


@dataclass
class AccountsState:
    """Accounts' tables: users, sessions and refresh tokens, one-time codes, consents."""

    users: dict[UserId, User] = field(default_factory=dict)
    sessions: dict[SessionId, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[tuple[UserId, CodePurpose], OneTimeCode] = field(default_factory=dict)
    consents: list[ConsentRecord] = field(default_factory=list)

    def check(self) -> None:
        """The unique email constraint, checked at commit as the database does."""
        emails = [user.email for user in self.users.values()]
        if len(emails) != len(set(emails)):
            raise Conflict("An account with this email already exists.", code="email_taken")
