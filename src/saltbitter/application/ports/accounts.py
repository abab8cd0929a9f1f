"""Persistence ports of the accounts capability."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from saltbitter.domain.accounts import (
    CodePurpose,
    ConsentPurpose,
    ConsentRecord,
    EmailAddress,
    OneTimeCode,
    RefreshToken,
    Session,
    User,
)
from saltbitter.domain.shared import SessionId, UserId

__all__ = [
    "ConsentLedger",
    "OneTimeCodeRepository",
    "SessionOwnerReads",
    "SessionRepository",
    "UserRepository",
]


class UserRepository(Protocol):
    @abstractmethod
    def add(self, user: User) -> None:
        """Stage a new user; a taken email surfaces as ``Conflict`` by commit at the latest."""

    @abstractmethod
    async def get(self, user_id: UserId) -> User | None: ...

    @abstractmethod
    async def get_by_email(self, email: EmailAddress) -> User | None: ...

    @abstractmethod
    async def save(self, user: User) -> None: ...

    @abstractmethod
    async def delete_unverified_created_before(self, cutoff: datetime) -> int:
        """Delete pending accounts (with everything they own) created before ``cutoff``."""


class SessionRepository(Protocol):
    @abstractmethod
    def add(self, session: Session) -> None: ...

    @abstractmethod
    async def get(self, session_id: SessionId) -> Session | None: ...

    @abstractmethod
    async def get_with_owner(self, session_id: SessionId) -> tuple[Session, User] | None:
        """The session and the account it belongs to, in one read (authentication of a
        member whose principal is not kept, ADR 0044); None when either is gone."""

    async def get_many_with_owner(
        self, session_ids: Collection[SessionId]
    ) -> Mapping[SessionId, tuple[Session, User]]:
        """``get_with_owner`` for several sessions, those found (one read where the store
        can: concurrent requests' authentications, ADR 0055)."""
        found: dict[SessionId, tuple[Session, User]] = {}
        for session_id in dict.fromkeys(session_ids):
            owned = await self.get_with_owner(session_id)
            if owned is not None:
                found[session_id] = owned
        return found

    @abstractmethod
    async def save(self, session: Session) -> None: ...

    @abstractmethod
    async def list_active(self, user_id: UserId) -> Sequence[Session]:
        """Active sessions, most recently used first."""

    @abstractmethod
    async def revoke_all(self, user_id: UserId, now: datetime) -> int: ...

    @abstractmethod
    def add_refresh_token(self, token: RefreshToken) -> None: ...

    @abstractmethod
    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None: ...

    @abstractmethod
    async def mark_rotated(self, token_hash: str, now: datetime) -> bool:
        """Atomically retire a current token; False when it was already rotated."""


class SessionOwnerReads:
    """How authentication reads a session with its account: on the request's own
    connection, alone by default, or together with the reads of other requests at the
    same moment (ADR 0055). This base reads each alone."""

    __slots__ = ()

    async def get_with_owner(
        self, session_id: SessionId, on: SessionRepository
    ) -> tuple[Session, User] | None:
        """``on.get_with_owner(session_id)``, perhaps in one read with others'."""
        return await on.get_with_owner(session_id)


class OneTimeCodeRepository(Protocol):
    @abstractmethod
    async def put(self, code: OneTimeCode) -> None:
        """Store ``code`` as the one live code of its (user, purpose), replacing any older."""

    @abstractmethod
    async def get(self, user_id: UserId, purpose: CodePurpose) -> OneTimeCode | None: ...

    @abstractmethod
    async def take_attempt(
        self, user_id: UserId, purpose: CodePurpose, now: datetime
    ) -> OneTimeCode | None:
        """Atomically use up one attempt of the live code and return its new state.

        None when there is no open code (missing, used, expired or out of attempts). Of
        any number of concurrent callers, at most ``attempts_left`` get a code: the
        decrement is one conditional write, never a read followed by a write.
        """

    @abstractmethod
    async def mark_used(
        self, user_id: UserId, purpose: CodePurpose, code_hash: str, now: datetime
    ) -> bool:
        """Atomically mark the live code used if it is still ``code_hash`` and unused.

        True for exactly one of any number of concurrent callers.
        """


class ConsentLedger(Protocol):
    """Append-only: grants and withdrawals are never updated or deleted in place."""

    @abstractmethod
    def append(self, record: ConsentRecord) -> None: ...

    @abstractmethod
    async def history(self, user_id: UserId) -> Sequence[ConsentRecord]:
        """Every record of the user, oldest first."""

    @abstractmethod
    async def current(self, user_id: UserId, purpose: ConsentPurpose) -> ConsentRecord | None: ...
