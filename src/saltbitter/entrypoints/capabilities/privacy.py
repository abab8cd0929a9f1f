"""The personal-data registry: every capability's declaration, accounts last (ADR 0018).

Erasure walks it in this order, so rows referring to a member go before their account.
``PrivacyProvider`` puts one ``SqlaPersonalData`` per declaration on the request's
connection, so ``ExportMemberData`` and ``EraseMember`` each run in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from dishka import Provider, Scope, provide, provide_all

from saltbitter.adapters.sqlalchemy.privacy import SqlaPersonalData
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.accounts.personal_data import PERSONAL_DATA as ACCOUNTS
from saltbitter.application.ports.privacy import PersonalData, PersonalDataHolders
from saltbitter.application.privacy.members import EraseMember, ExportMemberData
from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.capabilities.base import Capability

__all__ = ["PERSONAL_DATA", "PrivacyProvider", "personal_data_of"]


def personal_data_of(capabilities: Iterable[Capability]) -> tuple[PersonalData, ...]:
    """The declarations of ``capabilities``, each once, with accounts last (every other
    table refers to its ``users``)."""
    declared = {
        capability.personal_data.capability: capability.personal_data
        for capability in capabilities
        if capability.personal_data is not None
    }
    declared.pop(ACCOUNTS.capability, None)
    return (*declared.values(), ACCOUNTS)


PERSONAL_DATA = personal_data_of(CAPABILITIES)


class PrivacyProvider(Provider):
    """REQUEST scope: the registry's holders on the request's connection, and the use
    cases that walk them."""

    scope = Scope.REQUEST

    @provide
    def holders(self, db: StagedConnection) -> PersonalDataHolders:
        return PersonalDataHolders(
            tuple(SqlaPersonalData(declaration, db) for declaration in PERSONAL_DATA)
        )

    use_cases = provide_all(ExportMemberData, EraseMember)
