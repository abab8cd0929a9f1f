"""Privacy rights' ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.privacy_rights import (
    BreachAudience,
    BreachLog,
    BreachMembers,
    BreachRegister,
    ExportRequests,
    MemberContacts,
)
from saltbitter.testing.fakes_privacy_rights import (
    InMemoryBreachAudience,
    InMemoryBreachLog,
    InMemoryBreachMembers,
    InMemoryBreachRegister,
    InMemoryExportRequests,
    InMemoryMemberContacts,
)

__all__ = ["PrivacyRightsFakes"]


class PrivacyRightsFakes(Provider):
    scope = Scope.REQUEST

    requests = provide(InMemoryExportRequests, provides=ExportRequests, override=True)
    contacts = provide(InMemoryMemberContacts, provides=MemberContacts, override=True)
    audience = provide(InMemoryBreachAudience, provides=BreachAudience, override=True)
    register = provide(InMemoryBreachRegister, provides=BreachRegister, override=True)
    members = provide(InMemoryBreachMembers, provides=BreachMembers, override=True)
    log = provide(InMemoryBreachLog, provides=BreachLog, override=True)
