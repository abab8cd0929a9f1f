"""The production container with in-memory fakes swapped in: the only composition root.

Unit tests resolve use cases from the same dishka graph the API, worker and CLI use
(``entrypoints.composition.make_container``); one provider, registered last with
``override=True``, replaces the ports that reach outside the process (storage, time,
identifiers, secrets, mail, the job queue, password hashing and token signing) with the
fakes of ``saltbitter.testing``. Jobs run through the production job table, so tests
cannot drift from how the worker routes events.

It lives here and not in ``saltbitter.testing`` because that package may not import
entrypoints (import-linter); every team's tests can import it as ``support.container``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from uuid import uuid4

from dishka import AsyncContainer, Provider, Scope, provide

from saltbitter.adapters.memory import InProcessCache
from saltbitter.application.accounts.dto import RegisterCommand
from saltbitter.application.accounts.registration import RegisterUser, VerifyEmail
from saltbitter.application.assessments.consents import SetConsent
from saltbitter.application.assessments.dto import ConsentChange, ConsentView
from saltbitter.application.assessments.norms import NormsPolicy
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.notifications.delivery import SendDueEmails
from saltbitter.application.notifications.dto import EmailSweep, NotificationsPolicy
from saltbitter.application.outbox import RelayOutbox
from saltbitter.application.ports.ai import LanguageModel
from saltbitter.application.ports.batch_scoring import BatchScorer, ScalarBatchScorer
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.conversations import MessageModerator, RealtimeFanout
from saltbitter.application.ports.events import Event, JobQueue
from saltbitter.application.ports.images import ImageProcessor, PhotoModerator
from saltbitter.application.ports.mail import Mailer
from saltbitter.application.ports.payments import PaymentGateway
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.privacy_rights import ExportArchives
from saltbitter.application.ports.security import AccessTokenCodec, PasswordHasher
from saltbitter.application.ports.system import Clock, IdGenerator, SecretGenerator
from saltbitter.application.profiles.photos import OrphanSweepPolicy
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.application.shared.policy import AccountsPolicy
from saltbitter.domain.accounts import EmailAddress
from saltbitter.domain.notifications import DEFAULT_QUIET_HOURS
from saltbitter.domain.privacy.exports import ARCHIVE_LIFETIME
from saltbitter.domain.shared import Role, SessionId
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.jobs import run_job
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.fakes import (
    InMemoryAccessTokenCodec,
    InMemoryClock,
    InMemoryDatabase,
    InMemoryIdGenerator,
    InMemoryJobQueue,
    InMemoryMailer,
    InMemoryPasswordHasher,
    InMemorySecretGenerator,
    OutboxState,
)
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_ai import InMemoryLanguageModel
from saltbitter.testing.fakes_conversations import InMemoryMessageModerator, InMemoryRealtimeFanout
from saltbitter.testing.fakes_payments import InMemoryPaymentGateway
from saltbitter.testing.fakes_profiles import (
    InMemoryImageProcessor,
    InMemoryPhotoModerator,
    InMemoryPhotoStore,
)
from support.storage import CAPABILITY_FAKES, InMemoryStorage

__all__ = ["PASSWORD", "PHONE", "FakeWorld", "registration"]

T = TypeVar("T")
E = TypeVar("E", bound=Event)

PASSWORD = "correct horse battery"
PHONE = ClientInfo("203.0.113.9", "pytest phone")


def registration(email: str = "ada@example.org", **overrides: object) -> RegisterCommand:
    fields: dict[str, object] = {
        "email": email,
        "password": PASSWORD,
        "display_name": "Ada",
        "birthdate": date(1990, 12, 10),
        "timezone": "Europe/London",
        "accept_terms": True,
        "accept_privacy": True,
        "client": ClientInfo("203.0.113.7", "pytest phone"),
    }
    fields.update(overrides)
    return RegisterCommand(**fields)  # type: ignore[arg-type]


class FakesProvider(Provider):
    """Overrides the production providers of every port that leaves the process.

    The clock, ids, secrets, token codec, cache, scorer, photo store, image processor
    and moderator are read once
    (APP-scoped services depend on some of them); the others are read from the world whenever a use
    case is resolved, so a test may replace a mailer, hasher or policy between two calls.
    """

    def __init__(self, world: FakeWorld) -> None:
        super().__init__()
        self._world = world

    @provide(scope=Scope.APP, override=True)
    def clock(self) -> Clock:
        return self._world.clock

    @provide(scope=Scope.APP, override=True)
    def ids(self) -> IdGenerator:
        return self._world.ids

    @provide(scope=Scope.APP, override=True)
    def secrets(self) -> SecretGenerator:
        return self._world.secrets

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def mailer(self) -> Mailer:
        return self._world.mailer

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def job_queue(self) -> JobQueue:
        return self._world.queue

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def hasher(self) -> PasswordHasher:
        return self._world.hasher

    @provide(scope=Scope.APP, override=True)
    def access_tokens(self) -> AccessTokenCodec:
        return self._world.codec

    @provide(scope=Scope.APP, override=True)
    def payment_gateway(self) -> PaymentGateway:
        return self._world.payments

    @provide(scope=Scope.APP, override=True)
    def cache(self) -> Cache:
        return self._world.cache

    @provide(scope=Scope.APP, override=True)
    def scorer(self) -> BatchScorer:
        return self._world.scorer

    @provide(scope=Scope.APP, override=True)
    def photo_store(self) -> PhotoStore:
        return self._world.store

    @provide(scope=Scope.APP, override=True)
    def archives(self) -> ExportArchives:
        return self._world.archives

    @provide(scope=Scope.APP, override=True)
    def image_processor(self) -> ImageProcessor:
        return self._world.processor

    @provide(scope=Scope.APP, override=True)
    def moderator(self) -> PhotoModerator:
        return self._world.moderator

    @provide(scope=Scope.APP, override=True)
    def message_moderator(self) -> MessageModerator:
        return self._world.message_moderator

    @provide(scope=Scope.APP, override=True)
    def fanout(self) -> RealtimeFanout:
        return self._world.fanout

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def orphan_sweep_policy(self) -> OrphanSweepPolicy:
        return self._world.orphan_sweep_policy

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def matching_policy(self) -> MatchingPolicy:
        return self._world.matching_policy

    @provide(scope=Scope.APP, override=True)
    def language_model(self) -> LanguageModel:
        return self._world.language_model

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def accounts_policy(self) -> AccountsPolicy:
        return self._world.policy

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def norms_policy(self) -> NormsPolicy:
        return self._world.norms_policy

    @provide(scope=Scope.REQUEST, cache=False, override=True)
    def notifications_policy(self) -> NotificationsPolicy:
        return self._world.notifications_policy


@dataclass
class FakeWorld:
    """One shared in-memory world behind the production container.

    Replace the mailer, queue, hasher or a policy (``world.mailer = ...``) at any time;
    use cases resolved afterwards get the new one. Pass the other fakes to the
    constructor.
    """

    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    clock: InMemoryClock = field(default_factory=InMemoryClock)
    ids: InMemoryIdGenerator = field(default_factory=InMemoryIdGenerator)
    secrets: InMemorySecretGenerator = field(default_factory=lambda: InMemorySecretGenerator(7))
    mailer: InMemoryMailer = field(default_factory=InMemoryMailer)
    queue: InMemoryJobQueue = field(default_factory=InMemoryJobQueue)
    hasher: InMemoryPasswordHasher = field(default_factory=InMemoryPasswordHasher)
    codec: InMemoryAccessTokenCodec = field(default_factory=InMemoryAccessTokenCodec)
    policy: AccountsPolicy = field(default_factory=AccountsPolicy)
    norms_policy: NormsPolicy = field(default_factory=NormsPolicy)
    notifications_policy: NotificationsPolicy = field(
        default_factory=lambda: NotificationsPolicy(DEFAULT_QUIET_HOURS)
    )
    matching_policy: MatchingPolicy = field(default_factory=MatchingPolicy)
    cache: Cache = field(default_factory=InProcessCache)
    scorer: BatchScorer = field(default_factory=ScalarBatchScorer)
    orphan_sweep_policy: OrphanSweepPolicy = field(default_factory=OrphanSweepPolicy)
    processor: InMemoryImageProcessor = field(default_factory=InMemoryImageProcessor)
    moderator: InMemoryPhotoModerator = field(default_factory=InMemoryPhotoModerator)
    message_moderator: InMemoryMessageModerator = field(default_factory=InMemoryMessageModerator)
    fanout: InMemoryRealtimeFanout = field(default_factory=InMemoryRealtimeFanout)
    settings: Settings = field(default_factory=Settings)
    language_model: InMemoryLanguageModel = field(default_factory=InMemoryLanguageModel)
    store: InMemoryPhotoStore = field(init=False, repr=False)
    archives: InMemoryPhotoStore = field(init=False, repr=False)  # data export archives
    payments: InMemoryPaymentGateway = field(init=False, repr=False)
    _container: AsyncContainer | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.store = InMemoryPhotoStore(self.clock)
        self.archives = InMemoryPhotoStore(self.clock, ttl=ARCHIVE_LIFETIME)
        self.payments = InMemoryPaymentGateway(self.clock)

    @property
    def container(self) -> AsyncContainer:
        if self._container is None:
            self._container = make_container(
                self.settings,
                FakesProvider(self),
                InMemoryStorage(self.database),
                *(fakes() for fakes in CAPABILITY_FAKES),
            )
        return self._container

    async def get(self, kind: type[T]) -> T:
        """``kind`` from a fresh request scope, as one HTTP request or job would get it.

        The scope is left open: nothing in it holds a resource (every dependency is an
        in-memory fake), and a use case must outlive the call that resolved it.
        """
        scope = self.container()
        await scope.__aenter__()
        return await scope.get(kind)

    def events(self, kind: type[E]) -> list[E]:
        """The events of this type in the outbox, oldest first."""
        return [m.event for m in self.database[OutboxState].messages if isinstance(m.event, kind)]

    async def deliver_jobs(self, only: Collection[str] | None = None) -> list[str]:
        """Relay the outbox and run the queued jobs through the worker's job table.

        ``only`` limits the run to these jobs (the others are dropped); returns the jobs run.
        """
        await (await self.get(RelayOutbox))()
        jobs, self.queue.jobs = self.queue.jobs, []
        ran: list[str] = []
        for job, job_input in jobs:
            if only is not None and job not in only:
                continue
            await run_job(self.container, job, job_input)
            ran.append(job)
        return ran

    async def verified_member(self, email: str = "ada@example.org") -> None:
        await (await self.get(RegisterUser))(registration(email))
        await self.deliver_jobs()
        await (await self.get(VerifyEmail))(email, self.secrets.issued_codes[-1])

    async def member(self, email: str = "ada@example.org") -> Principal:
        """A verified member, as the principal their access token would give."""
        await self.verified_member(email)
        address = EmailAddress.parse(email)
        user = next(u for u in self.database[AccountsState].users.values() if u.email == address)
        return Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), user.tier, True)

    async def consent(
        self, principal: Principal, purpose: str, *, granted: bool = True
    ) -> ConsentView:
        return await (await self.get(SetConsent))(principal, ConsentChange(purpose, granted, PHONE))

    async def sweep(self) -> EmailSweep:
        """One batch of the notification mail sweep (the Beat job runs up to twenty)."""
        return await (await self.get(SendDueEmails))()
