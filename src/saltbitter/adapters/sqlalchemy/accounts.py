"""Repositories of the accounts capability: Core statements, rows mapped by hand."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Executable, Row, and_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.tables import (
    consents,
    one_time_codes,
    refresh_tokens,
    sessions,
    users,
)
from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    SessionRepository,
    UserRepository,
)
from saltbitter.domain.accounts import (
    AccountStatus,
    CodePurpose,
    ConsentPurpose,
    ConsentRecord,
    EmailAddress,
    OneTimeCode,
    RefreshToken,
    Session,
    User,
)
from saltbitter.domain.errors import NotFound
from saltbitter.domain.shared import Role, SessionId, Tier, UserId

__all__ = [
    "SqlaConsentLedger",
    "SqlaOneTimeCodeRepository",
    "SqlaSessionRepository",
    "SqlaUserRepository",
]


def _user_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email.value,
        "display_name": user.display_name,
        "birthdate": user.birthdate,
        "timezone": user.timezone,
        "password_hash": user.password_hash,
        "status": user.status.value,
        "tier": user.tier.value,
        "roles": ",".join(sorted(role.value for role in user.roles)),
        "created_at": user.created_at,
        "email_verified_at": user.email_verified_at,
        "erasure_due_at": user.erasure_due_at,
    }


def _user(row: Row[Any]) -> User:
    return User(
        id=UserId(row.id),
        email=EmailAddress(row.email),
        display_name=row.display_name,
        birthdate=row.birthdate,
        timezone=row.timezone,
        password_hash=row.password_hash,
        created_at=row.created_at,
        status=AccountStatus(row.status),
        tier=Tier(row.tier),
        roles=frozenset(Role(role) for role in row.roles.split(",") if role),
        email_verified_at=row.email_verified_at,
        erasure_due_at=row.erasure_due_at,
    )


class SqlaUserRepository(UserRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    def add(self, user: User) -> None:
        self._db.stage(users, _user_row(user))

    async def get(self, user_id: UserId) -> User | None:
        row = (await self._db.execute(select(users).where(users.c.id == user_id))).one_or_none()
        return None if row is None else _user(row)

    async def get_by_email(self, email: EmailAddress) -> User | None:
        statement = select(users).where(users.c.email == email.value)
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _user(row)

    async def save(self, user: User) -> None:
        values = _user_row(user)
        del values["id"], values["created_at"]
        if user.erasure_due_at is None:
            # No deletion pending (never, or cancelled): no reminder or claim either.
            values |= {"erasure_reminded_days": None, "erasure_claimed_at": None}
        result = await self._db.execute(update(users).where(users.c.id == user.id).values(values))
        self._db.principal_changed(user.id)
        if result.rowcount == 0:
            # Writing it back would resurrect an account deleted meanwhile (the purge).
            raise NotFound("The account no longer exists.", code="user_not_found")

    async def delete_unverified_created_before(self, cutoff: datetime) -> int:
        # One statement; ON DELETE CASCADE removes sessions, tokens, codes and consents.
        statement = delete(users).where(
            users.c.status == AccountStatus.PENDING_VERIFICATION.value,
            users.c.created_at < cutoff,
        )
        return (await self._db.execute(statement)).rowcount


def _session_row(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "user_id": session.user_id,
        "device": session.device,
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "revoked_at": session.revoked_at,
    }


def _session(row: Row[Any]) -> Session:
    return Session(
        id=SessionId(row.id),
        user_id=UserId(row.user_id),
        device=row.device,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


# The owner's columns under their own names (``_user`` reads them), the session's
# prefixed: one statement instead of a session read and then a user read.
_SESSION_WITH_OWNER = select(
    *users.c,
    *(column.label(f"session_{column.name}") for column in sessions.c if column.name != "user_id"),
).join_from(sessions, users, users.c.id == sessions.c.user_id)
_ONE_SESSION_WITH_OWNER = _SESSION_WITH_OWNER.where(sessions.c.id == bindparam("id"))
_SESSIONS_WITH_OWNERS = _SESSION_WITH_OWNER.where(
    sessions.c.id.in_(bindparam("ids", expanding=True))
)


def _session_with_owner(row: Row[Any]) -> tuple[Session, User]:
    session = Session(
        id=SessionId(row.session_id),
        user_id=UserId(row.id),
        device=row.session_device,
        created_at=row.session_created_at,
        last_used_at=row.session_last_used_at,
        revoked_at=row.session_revoked_at,
    )
    return session, _user(row)


class SqlaSessionRepository(SessionRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    def add(self, session: Session) -> None:
        self._db.stage(sessions, _session_row(session))

    async def get(self, session_id: SessionId) -> Session | None:
        statement = select(sessions).where(sessions.c.id == session_id)
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _session(row)

    async def get_with_owner(self, session_id: SessionId) -> tuple[Session, User] | None:
        row = (await self._db.execute(_ONE_SESSION_WITH_OWNER, {"id": session_id})).one_or_none()
        return None if row is None else _session_with_owner(row)

    async def get_many_with_owner(
        self, session_ids: Collection[SessionId]
    ) -> Mapping[SessionId, tuple[Session, User]]:
        if not session_ids:
            return {}
        rows = await self._db.execute(_SESSIONS_WITH_OWNERS, {"ids": list(session_ids)})
        owned = [_session_with_owner(row) for row in rows]
        return {session.id: (session, user) for session, user in owned}

    async def save(self, session: Session) -> None:
        statement = (
            update(sessions)
            .where(sessions.c.id == session.id)
            .values(
                device=session.device,
                last_used_at=session.last_used_at,
                revoked_at=session.revoked_at,
            )
        )
        if (await self._db.execute(statement)).rowcount == 0:
            raise NotFound("The session no longer exists.", code="session_not_found")
        self._db.principal_changed(session.user_id)

    async def list_active(self, user_id: UserId) -> Sequence[Session]:
        statement = (
            select(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
            .order_by(sessions.c.last_used_at.desc(), sessions.c.id)
        )
        return [_session(row) for row in await self._db.execute(statement)]

    async def revoke_all(self, user_id: UserId, now: datetime) -> int:
        statement = (
            update(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        self._db.principal_changed(user_id)
        return (await self._db.execute(statement)).rowcount

    def add_refresh_token(self, token: RefreshToken) -> None:
        self._db.stage(
            refresh_tokens,
            {
                "token_hash": token.token_hash,
                "session_id": token.session_id,
                "issued_at": token.issued_at,
                "expires_at": token.expires_at,
                "rotated_at": token.rotated_at,
            },
        )

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        statement = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        row = (await self._db.execute(statement)).one_or_none()
        if row is None:
            return None
        return RefreshToken(
            token_hash=row.token_hash,
            session_id=SessionId(row.session_id),
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            rotated_at=row.rotated_at,
        )

    async def mark_rotated(self, token_hash: str, now: datetime) -> bool:
        # The condition is re-checked under the row lock, so of two concurrent refreshes
        # with the same token exactly one updates a row: replay detection relies on it.
        statement = (
            update(refresh_tokens)
            .where(
                refresh_tokens.c.token_hash == token_hash,
                refresh_tokens.c.rotated_at.is_(None),
            )
            .values(rotated_at=now)
        )
        return (await self._db.execute(statement)).rowcount == 1


class SqlaOneTimeCodeRepository(OneTimeCodeRepository):
    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def put(self, code: OneTimeCode) -> None:
        values = {
            "user_id": code.user_id,
            "purpose": code.purpose.value,
            "code_hash": code.code_hash,
            "expires_at": code.expires_at,
            "attempts_left": code.attempts_left,
            "used_at": code.used_at,
        }
        key = [one_time_codes.c.user_id, one_time_codes.c.purpose]
        upsert: Executable
        dialect = self._db.dialect_name
        # One statement replaces the live code atomically; both dialects speak ON CONFLICT.
        if dialect == "postgresql":
            pg_insert = postgresql.insert(one_time_codes).values(values)
            upsert = pg_insert.on_conflict_do_update(
                index_elements=key, set_={name: pg_insert.excluded[name] for name in _CODE_STATE}
            )
        elif dialect == "sqlite":
            lite_insert = sqlite.insert(one_time_codes).values(values)
            upsert = lite_insert.on_conflict_do_update(
                index_elements=key, set_={name: lite_insert.excluded[name] for name in _CODE_STATE}
            )
        else:
            raise NotImplementedError(f"no upsert for the {dialect} dialect")
        await self._db.execute(upsert)

    async def get(self, user_id: UserId, purpose: CodePurpose) -> OneTimeCode | None:
        statement = select(one_time_codes).where(_code_key(user_id, purpose))
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _code(row)

    async def take_attempt(
        self, user_id: UserId, purpose: CodePurpose, now: datetime
    ) -> OneTimeCode | None:
        # One conditional UPDATE: PostgreSQL re-checks the condition under the row lock
        # (SQLite serialises writers), so concurrent guesses never share an attempt.
        statement = (
            update(one_time_codes)
            .where(
                _code_key(user_id, purpose),
                one_time_codes.c.used_at.is_(None),
                one_time_codes.c.expires_at > now,
                one_time_codes.c.attempts_left > 0,
            )
            .values(attempts_left=one_time_codes.c.attempts_left - 1)
            .returning(*one_time_codes.c)
        )
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _code(row)

    async def mark_used(
        self, user_id: UserId, purpose: CodePurpose, code_hash: str, now: datetime
    ) -> bool:
        statement = (
            update(one_time_codes)
            .where(
                _code_key(user_id, purpose),
                one_time_codes.c.code_hash == code_hash,
                one_time_codes.c.used_at.is_(None),
            )
            .values(used_at=now)
        )
        return (await self._db.execute(statement)).rowcount == 1


def _code_key(user_id: UserId, purpose: CodePurpose) -> ColumnElement[bool]:
    return and_(one_time_codes.c.user_id == user_id, one_time_codes.c.purpose == purpose.value)


def _code(row: Row[Any]) -> OneTimeCode:
    return OneTimeCode(
        user_id=UserId(row.user_id),
        purpose=CodePurpose(row.purpose),
        code_hash=row.code_hash,
        expires_at=row.expires_at,
        attempts_left=row.attempts_left,
        used_at=row.used_at,
    )


_CODE_STATE = ("code_hash", "expires_at", "attempts_left", "used_at")


def _consent(row: Row[Any]) -> ConsentRecord:
    return ConsentRecord(
        user_id=UserId(row.user_id),
        purpose=ConsentPurpose(row.purpose),
        granted=row.granted,
        policy_version=row.policy_version,
        recorded_at=row.recorded_at,
        ip_address=row.ip_address,
        user_agent=row.user_agent,
    )


_CONSENT_COLUMNS = [column for column in consents.c if column.name != "id"]


class SqlaConsentLedger(ConsentLedger):
    """Append-only by construction: this class issues no UPDATE or DELETE."""

    __slots__ = ("_db",)

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    def append(self, record: ConsentRecord) -> None:
        self._db.stage(
            consents,
            {
                "user_id": record.user_id,
                "purpose": record.purpose.value,
                "granted": record.granted,
                "policy_version": record.policy_version,
                "recorded_at": record.recorded_at,
                "ip_address": record.ip_address,
                "user_agent": record.user_agent,
            },
        )
        self._db.member_changed(record.user_id)  # consent gates what matching reads

    async def history(self, user_id: UserId) -> Sequence[ConsentRecord]:
        statement = (
            select(*_CONSENT_COLUMNS)
            .where(consents.c.user_id == user_id)
            .order_by(consents.c.recorded_at, consents.c.id)
        )
        return [_consent(row) for row in await self._db.execute(statement)]

    async def current(self, user_id: UserId, purpose: ConsentPurpose) -> ConsentRecord | None:
        statement = (
            select(*_CONSENT_COLUMNS)
            .where(consents.c.user_id == user_id, consents.c.purpose == purpose.value)
            .order_by(consents.c.recorded_at.desc(), consents.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(statement)).one_or_none()
        return None if row is None else _consent(row)
