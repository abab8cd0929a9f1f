"""The in-memory personal-data holders on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.privacy import PersonalDataHolders
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.testing.memory import InMemoryConnection
from saltbitter.testing.privacy import in_memory_holders

__all__ = ["PrivacyFakes"]


class PrivacyFakes(Provider):
    scope = Scope.REQUEST

    @provide(override=True)
    def holders(self, connection: InMemoryConnection) -> PersonalDataHolders:
        return PersonalDataHolders(tuple(in_memory_holders(connection, PERSONAL_DATA)))
