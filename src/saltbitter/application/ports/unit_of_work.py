"""The unit of work: one transaction, its repositories and its outbox."""

from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import Protocol, Self

from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    SessionRepository,
    UserRepository,
)
from saltbitter.application.ports.assessments import AssessmentRepository, NormsRepository
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.matching import MatchingRepository
from saltbitter.application.ports.notifications import NotificationRepository
from saltbitter.application.ports.payments import SubscriptionStore
from saltbitter.application.ports.profiles import PhotoRepository, ProfileRepository

__all__ = ["UnitOfWork"]


class UnitOfWork(Protocol):
    """``async with uow:`` opens a transaction; leaving without ``commit()`` rolls back."""

    users: UserRepository
    sessions: SessionRepository
    codes: OneTimeCodeRepository
    consents: ConsentLedger
    outbox: Outbox
    profiles: ProfileRepository
    photos: PhotoRepository
    assessments: AssessmentRepository
    norms: NormsRepository
    matching: MatchingRepository
    notifications: NotificationRepository
    payments: SubscriptionStore

    @abstractmethod
    async def __aenter__(self) -> Self: ...

    @abstractmethod
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    @abstractmethod
    async def commit(self) -> None:
        """Make every staged change and outbox message durable together."""
