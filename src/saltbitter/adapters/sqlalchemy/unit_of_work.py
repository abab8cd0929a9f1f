"""The unit of work: one connection, one transaction, every accounts repository on it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.events import EventCodec
from saltbitter.adapters.sqlalchemy.accounts import (
    SqlaConsentLedger,
    SqlaOneTimeCodeRepository,
    SqlaSessionRepository,
    SqlaUserRepository,
)
from saltbitter.adapters.sqlalchemy.assessments import (
    SqlaAssessmentRepository,
    SqlaNormsRepository,
)
from saltbitter.adapters.sqlalchemy.matching import SqlaMatchingRepository
from saltbitter.adapters.sqlalchemy.notifications import SqlaNotificationRepository
from saltbitter.adapters.sqlalchemy.outbox import SqlaOutbox
from saltbitter.adapters.sqlalchemy.payments import SqlaSubscriptionStore
from saltbitter.adapters.sqlalchemy.profiles import SqlaPhotoRepository, SqlaProfileRepository
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.adapters.system import SystemClock, UuidIdGenerator
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.unit_of_work import UnitOfWork

__all__ = ["SqlaUnitOfWork"]


_SYSTEM_CLOCK = SystemClock()
_RANDOM_IDS = UuidIdGenerator()


class SqlaUnitOfWork(UnitOfWork):
    """``async with`` checks out a connection and begins; leaving without commit rolls back.

    Cheap to build (one per request): nothing touches the pool before ``__aenter__``.
    A unit of work may be entered again after it was left, never while it is open.
    ``after_commit`` runs after a commit that made outbox messages durable, to wake the
    relay; it must be quick and must not raise, since the commit has already happened.
    ``clock`` and ``ids`` stamp outbox messages; ``events`` decodes the claimed ones
    (without it, every claimed message comes back undecoded).
    """

    users: SqlaUserRepository
    sessions: SqlaSessionRepository
    codes: SqlaOneTimeCodeRepository
    consents: SqlaConsentLedger
    outbox: SqlaOutbox
    profiles: SqlaProfileRepository
    photos: SqlaPhotoRepository
    assessments: SqlaAssessmentRepository
    norms: SqlaNormsRepository
    matching: SqlaMatchingRepository
    notifications: SqlaNotificationRepository

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        after_commit: Callable[[], None] | None = None,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        events: EventCodec | None = None,
    ) -> None:
        self._engine = engine
        self._events = events or EventCodec()
        self._after_commit = after_commit
        self._clock = clock or _SYSTEM_CLOCK
        self._ids = ids or _RANDOM_IDS
        self._db: StagedConnection | None = None
        self._transaction: SqlaTransaction | None = None

    async def __aenter__(self) -> Self:
        if self._db is not None:
            raise RuntimeError("SqlaUnitOfWork is not re-entrant")
        db = self._db = StagedConnection(self._engine)
        transaction = self._transaction = SqlaTransaction(db, self._after_commit)
        self.users = SqlaUserRepository(db)
        self.sessions = SqlaSessionRepository(db)
        self.codes = SqlaOneTimeCodeRepository(db)
        self.consents = SqlaConsentLedger(db)
        self.outbox = SqlaOutbox(db, self._clock, self._ids, self._events)
        self.profiles = SqlaProfileRepository(db)
        self.photos = SqlaPhotoRepository(db)
        self.assessments = SqlaAssessmentRepository(db)
        self.norms = SqlaNormsRepository(db)
        self.matching = SqlaMatchingRepository(db)
        self.notifications = SqlaNotificationRepository(db)
        self.payments = SqlaSubscriptionStore(db)
        try:
            await transaction.__aenter__()
        except BaseException:
            self._db = None
            await db.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        db, self._db = self._db, None
        if db is None:
            return
        assert self._transaction is not None
        try:
            await self._transaction.__aexit__(exc_type, exc, traceback)
        finally:
            await db.close()

    async def commit(self) -> None:
        if self._db is None or self._transaction is None:
            raise RuntimeError("commit outside of 'async with'")
        await self._transaction.commit()
