"""The unit of work: one connection, one transaction, every accounts repository on it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
from saltbitter.adapters.sqlalchemy.profiles import SqlaPhotoRepository, SqlaProfileRepository
from saltbitter.adapters.sqlalchemy.staging import StagedConnection, translating_errors
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
        self._connection: AsyncConnection | None = None
        self._db: StagedConnection | None = None

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("SqlaUnitOfWork is not re-entrant")
        with translating_errors():
            connection = await self._engine.connect()
        try:
            await connection.begin()
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self._db = db = StagedConnection(connection)
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
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection, self._db = self._connection, None, None
        if connection is None:
            return
        try:
            with translating_errors():  # a dropped connection is Unavailable here too
                await connection.rollback()  # a no-op after commit; staged rows just go
        finally:
            await connection.close()

    async def commit(self) -> None:
        if self._connection is None or self._db is None:
            raise RuntimeError("commit outside of 'async with'")
        await self._db.flush()
        with translating_errors():
            await self._connection.commit()
        announced, self.outbox.staged = self.outbox.staged, 0
        if announced and self._after_commit is not None:
            self._after_commit()
