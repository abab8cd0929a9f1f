"""The in-memory storage behind the test container: one connection per request scope.

``InMemoryStorage`` replaces the production request connection, its transaction and the
outbox; each capability's fakes provider (``support.fakes_<capability>``) replaces that
capability's role-shaped ports with the ``saltbitter.testing`` fakes on the same
connection, as ``entrypoints/capabilities/<capability>.py`` wires the SQL adapters.
"""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.testing.fakes import InMemoryOutbox
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase, InMemoryTransaction
from support.fakes_accounts import AccountsFakes
from support.fakes_ai import AiFakes
from support.fakes_assessments import AssessmentsFakes
from support.fakes_conversations import ConversationsFakes
from support.fakes_erasure import ErasureFakes
from support.fakes_events import EventsFakes
from support.fakes_matching import MatchingFakes
from support.fakes_notifications import NotificationsFakes
from support.fakes_payments import PaymentsFakes
from support.fakes_privacy import PrivacyFakes
from support.fakes_privacy_rights import PrivacyRightsFakes
from support.fakes_profiles import ProfilesFakes
from support.fakes_safety import SafetyFakes

__all__ = ["CAPABILITY_FAKES", "InMemoryStorage"]


class InMemoryStorage(Provider):
    scope = Scope.REQUEST

    def __init__(self, database: InMemoryDatabase) -> None:
        super().__init__()
        self._database = database

    @provide
    def connection(self) -> InMemoryConnection:
        return InMemoryConnection(self._database)

    @provide(override=True)
    def transaction(self, connection: InMemoryConnection) -> Transaction:
        # No relay wake-up: tests relay on purpose (``FakeWorld.deliver_jobs``).
        return InMemoryTransaction(connection)

    @provide(override=True)
    def outbox(self, connection: InMemoryConnection, clock: Clock, ids: IdGenerator) -> Outbox:
        return InMemoryOutbox(connection, clock, ids)


# One provider per capability, each in its own module.
CAPABILITY_FAKES: tuple[type[Provider], ...] = (
    AccountsFakes,
    ProfilesFakes,
    AssessmentsFakes,
    MatchingFakes,
    NotificationsFakes,
    SafetyFakes,
    ConversationsFakes,
    PaymentsFakes,
    PrivacyFakes,
    AiFakes,
    PrivacyRightsFakes,
    ErasureFakes,
    EventsFakes,
)
