"""In-memory fakes of the application's ports, for unit tests here and in other teams.

They pass the same contract tests as the real adapters (``saltbitter.testing.contracts``),
so a use case that works against them works against PostgreSQL too.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    SessionRepository,
    UserRepository,
)
from saltbitter.application.ports.events import Event, JobInput, JobQueue, Outbox, OutboxMessage
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.security import AccessClaims, AccessTokenCodec, PasswordHasher
from saltbitter.application.ports.system import Clock, IdGenerator, SecretGenerator
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
from saltbitter.domain.errors import AuthenticationFailed, Conflict
from saltbitter.domain.shared import SessionId, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import (
    InMemoryConnection,
    InMemoryDatabase,
    InMemoryRepository,
)

__all__ = [
    "AccountsState",
    "InMemoryAccessTokenCodec",
    "InMemoryClock",
    "InMemoryConsentLedger",
    "InMemoryDatabase",
    "InMemoryIdGenerator",
    "InMemoryJobQueue",
    "InMemoryMailer",
    "InMemoryOneTimeCodeRepository",
    "InMemoryOutbox",
    "InMemoryPasswordHasher",
    "InMemorySecretGenerator",
    "InMemorySessionRepository",
    "InMemoryUserRepository",
    "OutboxState",
]


class InMemoryClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class InMemoryIdGenerator(IdGenerator):
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_id(self) -> UUID:
        return UUID(int=next(self._counter), version=4)


class InMemorySecretGenerator(SecretGenerator):
    """Reproducible secrets; remembers every code it handed out."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self.issued_codes: list[str] = []

    def one_time_code(self) -> str:
        code = f"{self._random.randrange(1_000_000):06d}"
        self.issued_codes.append(code)
        return code

    def opaque_token(self) -> str:
        return f"{self._random.getrandbits(256):064x}"


class InMemoryPasswordHasher(PasswordHasher):
    """Fast, honest stand-in: a versioned SHA-256 (never use outside tests)."""

    def __init__(self, version: int = 1) -> None:
        self.version = version

    async def hash(self, password: str) -> str:
        digest = hashlib.sha256(password.encode()).hexdigest()
        return f"fake-v{self.version}${digest}"

    async def verify(self, password_hash: str, password: str) -> bool:
        _, _, digest = password_hash.partition("$")
        return digest == hashlib.sha256(password.encode()).hexdigest()

    async def verify_decoy(self, password: str) -> None:
        await self.verify(await self.hash("decoy"), password)

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"fake-v{self.version}$")


class InMemoryAccessTokenCodec(AccessTokenCodec):
    def __init__(self) -> None:
        self._claims: dict[str, AccessClaims] = {}
        self._counter = itertools.count(1)

    def issue(self, claims: AccessClaims) -> str:
        token = f"access-{next(self._counter)}"
        self._claims[token] = claims
        return token

    def decode(self, token: str, now: datetime) -> AccessClaims:
        claims = self._claims.get(token)
        if claims is None or now >= claims.expires_at:
            raise AuthenticationFailed(
                "The access token is invalid or expired.", code="invalid_token"
            )
        return claims


class InMemoryMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []

    async def send(self, message: OutgoingEmail) -> None:
        self.sent.append(message)

    def to(self, address: str) -> list[OutgoingEmail]:
        return [message for message in self.sent if message.to == address]


class InMemoryJobQueue(JobQueue):
    """Records every job (``jobs``) and which inputs were handed over together."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, JobInput | None]] = []
        self.together: list[tuple[str, list[JobInput]]] = []

    async def enqueue(self, job: str, job_input: JobInput | None = None) -> None:
        self.jobs.append((job, job_input))

    async def enqueue_together(self, job: str, job_inputs: Sequence[JobInput]) -> None:
        self.together.append((job, list(job_inputs)))
        await super().enqueue_together(job, job_inputs)


@dataclass
class OutboxState:
    messages: list[OutboxMessage] = field(default_factory=list)
    dispatched: dict[UUID, datetime] = field(default_factory=dict)


class _OnAccounts(InMemoryRepository):
    @property
    def _state(self) -> AccountsState:
        return self._connection.state(AccountsState)


class InMemoryUserRepository(_OnAccounts, UserRepository):
    def add(self, user: User) -> None:
        if user.id in self._state.users:
            raise Conflict("The user exists already.", code="user_exists")
        self._state.users[user.id] = user

    async def get(self, user_id: UserId) -> User | None:
        return self._state.users.get(user_id)

    async def get_by_email(self, email: EmailAddress) -> User | None:
        return next((u for u in self._state.users.values() if u.email == email), None)

    async def save(self, user: User) -> None:
        self._state.users[user.id] = user

    async def delete_unverified_created_before(self, cutoff: datetime) -> int:
        doomed = {
            uid
            for uid, user in self._state.users.items()
            if user.status is AccountStatus.PENDING_VERIFICATION and user.created_at < cutoff
        }
        state = self._state
        for uid in doomed:
            del state.users[uid]
        doomed_sessions = {sid for sid, s in state.sessions.items() if s.user_id in doomed}
        for sid in doomed_sessions:
            del state.sessions[sid]
        state.refresh_tokens = {
            h: t for h, t in state.refresh_tokens.items() if t.session_id not in doomed_sessions
        }
        state.codes = {key: c for key, c in state.codes.items() if key[0] not in doomed}
        state.consents = [c for c in state.consents if c.user_id not in doomed]
        return len(doomed)


class InMemorySessionRepository(_OnAccounts, SessionRepository):
    def add(self, session: Session) -> None:
        self._state.sessions[session.id] = session

    async def get(self, session_id: SessionId) -> Session | None:
        return self._state.sessions.get(session_id)

    async def get_with_owner(self, session_id: SessionId) -> tuple[Session, User] | None:
        session = self._state.sessions.get(session_id)
        owner = None if session is None else self._state.users.get(session.user_id)
        return None if session is None or owner is None else (session, owner)

    async def save(self, session: Session) -> None:
        self._state.sessions[session.id] = session

    async def list_active(self, user_id: UserId) -> Sequence[Session]:
        active = [s for s in self._state.sessions.values() if s.user_id == user_id and s.active]
        return sorted(active, key=lambda s: s.last_used_at, reverse=True)

    async def revoke_all(self, user_id: UserId, now: datetime) -> int:
        active = [s for s in self._state.sessions.values() if s.user_id == user_id and s.active]
        for session in active:
            session.revoke(now)
        return len(active)

    def add_refresh_token(self, token: RefreshToken) -> None:
        self._state.refresh_tokens[token.token_hash] = token

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        return self._state.refresh_tokens.get(token_hash)

    async def mark_rotated(self, token_hash: str, now: datetime) -> bool:
        token = self._state.refresh_tokens.get(token_hash)
        if token is None or token.rotated_at is not None:
            return False
        self._state.refresh_tokens[token_hash] = replace(token, rotated_at=now)
        return True


class InMemoryOneTimeCodeRepository(_OnAccounts, OneTimeCodeRepository):
    async def put(self, code: OneTimeCode) -> None:
        self._state.codes[(code.user_id, code.purpose)] = code

    async def get(self, user_id: UserId, purpose: CodePurpose) -> OneTimeCode | None:
        return self._state.codes.get((user_id, purpose))

    # No await between the read and the write: atomic on the event loop.
    async def take_attempt(
        self, user_id: UserId, purpose: CodePurpose, now: datetime
    ) -> OneTimeCode | None:
        code = self._state.codes.get((user_id, purpose))
        if code is None or not code.is_open(now):
            return None
        spent = replace(code, attempts_left=code.attempts_left - 1)
        self._state.codes[(user_id, purpose)] = spent
        return spent

    async def mark_used(
        self, user_id: UserId, purpose: CodePurpose, code_hash: str, now: datetime
    ) -> bool:
        code = self._state.codes.get((user_id, purpose))
        if code is None or code.used_at is not None or code.code_hash != code_hash:
            return False
        self._state.codes[(user_id, purpose)] = replace(code, used_at=now)
        return True


class InMemoryConsentLedger(_OnAccounts, ConsentLedger):
    def append(self, record: ConsentRecord) -> None:
        self._state.consents.append(record)

    async def history(self, user_id: UserId) -> Sequence[ConsentRecord]:
        return [c for c in self._state.consents if c.user_id == user_id]

    async def current(self, user_id: UserId, purpose: ConsentPurpose) -> ConsentRecord | None:
        matching = [
            c for c in self._state.consents if c.user_id == user_id and c.purpose == purpose
        ]
        return matching[-1] if matching else None


class InMemoryOutbox(InMemoryRepository, Outbox):
    def __init__(self, connection: InMemoryConnection, clock: Clock, ids: IdGenerator) -> None:
        super().__init__(connection)
        self._clock = clock
        self._ids = ids

    @property
    def _state(self) -> OutboxState:
        return self._connection.state(OutboxState)

    def add(self, event: Event) -> None:
        message = OutboxMessage(self._ids.new_id(), event.name, event, self._clock.now())
        self._state.messages.append(message)
        self._connection.announced += 1

    async def claim_pending(self, limit: int) -> Sequence[OutboxMessage]:
        state = self._state
        pending = [m for m in state.messages if m.id not in state.dispatched]
        return pending[:limit]

    async def mark_dispatched(self, message_ids: Sequence[UUID], now: datetime) -> None:
        self._state.dispatched.update(dict.fromkeys(message_ids, now))
