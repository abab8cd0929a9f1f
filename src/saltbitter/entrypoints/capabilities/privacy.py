"""The personal-data registry: every capability's declaration, accounts last (ADR 0018).

Erasure walks it in this order, so rows referring to a member go before their account.
"""

from __future__ import annotations

from collections.abc import Iterable

from saltbitter.application.accounts.personal_data import PERSONAL_DATA as ACCOUNTS
from saltbitter.application.ports.privacy import PersonalData
from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.capabilities.base import Capability

__all__ = ["PERSONAL_DATA", "personal_data_of"]


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
