"""The container unit tests use is production's, with every outward port faked."""

from __future__ import annotations

from saltbitter.application.accounts.registration import RegisterUser
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.batch_scoring import BatchScorer
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.events import JobQueue, Outbox
from saltbitter.application.ports.images import ImageProcessor, PhotoModerator
from saltbitter.application.ports.mail import Mailer
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.security import AccessTokenCodec, PasswordHasher
from saltbitter.application.ports.system import Clock, IdGenerator, SecretGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.testing.fakes import InMemoryMailer, InMemoryOutbox, InMemoryUserRepository
from saltbitter.testing.memory import InMemoryConnection, InMemoryTransaction
from support.container import FakeWorld, registration


async def test_every_port_that_leaves_the_process_is_the_worlds_fake() -> None:
    world = FakeWorld()
    expected: dict[type, object] = {
        Clock: world.clock,
        IdGenerator: world.ids,
        SecretGenerator: world.secrets,
        Mailer: world.mailer,
        JobQueue: world.queue,
        PasswordHasher: world.hasher,
        AccessTokenCodec: world.codec,
        Cache: world.cache,
        BatchScorer: world.scorer,
        PhotoStore: world.store,
        ImageProcessor: world.processor,
        PhotoModerator: world.moderator,
    }
    for port, fake in expected.items():
        assert await world.get(port) is fake, port
    async with world.container() as request:
        connection = await request.get(InMemoryConnection)
        assert connection.database is world.database
        assert isinstance(await request.get(Transaction), InMemoryTransaction)
        assert isinstance(await request.get(Outbox), InMemoryOutbox)
        assert isinstance(await request.get(UserRepository), InMemoryUserRepository)
        # Every port of a request works on that request's one connection.
        assert await request.get(InMemoryConnection) is connection


async def test_use_cases_get_the_fakes_and_policies_current_when_resolved() -> None:
    world = FakeWorld()
    world.matching_policy = MatchingPolicy(page_size=7)
    assert await world.get(MatchingPolicy) is world.matching_policy
    world.mailer = replacement = InMemoryMailer()
    await (await world.get(RegisterUser))(registration())
    await world.deliver_jobs()
    assert len(replacement.to("ada@example.org")) == 1
