"""Accounts' role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    SessionRepository,
    UserRepository,
)
from saltbitter.testing.fakes import (
    InMemoryConsentLedger,
    InMemoryOneTimeCodeRepository,
    InMemorySessionRepository,
    InMemoryUserRepository,
)

__all__ = ["AccountsFakes"]


class AccountsFakes(Provider):
    scope = Scope.REQUEST

    users = provide(InMemoryUserRepository, provides=UserRepository, override=True)
    sessions = provide(InMemorySessionRepository, provides=SessionRepository, override=True)
    codes = provide(InMemoryOneTimeCodeRepository, provides=OneTimeCodeRepository, override=True)
    consents = provide(InMemoryConsentLedger, provides=ConsentLedger, override=True)
