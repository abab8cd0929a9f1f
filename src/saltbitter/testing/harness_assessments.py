"""The assessment and consent use cases over the accounts harness's in-memory world."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from saltbitter.application.assessments.consents import ListConsents, SetConsent
from saltbitter.application.assessments.dto import ConsentChange, ConsentView
from saltbitter.application.assessments.norms import NormsPolicy
from saltbitter.application.assessments.results import (
    GetInstrument,
    GetMyAssessments,
    SubmitAssessment,
)
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.domain.accounts import EmailAddress
from saltbitter.domain.shared import Role, SessionId
from saltbitter.testing.harness import AccountsHarness

__all__ = ["PHONE", "AssessmentsHarness"]

PHONE = ClientInfo("203.0.113.9", "pytest phone")


@dataclass
class AssessmentsHarness(AccountsHarness):
    """Every accounts use case plus the assessment and consent ones, on one world."""

    norms_policy = NormsPolicy()  # not a field: replace it on an instance to change it

    async def member(self, email: str = "ada@example.org") -> Principal:
        """A verified member, as the principal their access token would give."""
        await self.verified_member(email)
        address = EmailAddress.parse(email)
        user = next(u for u in self.database.users.values() if u.email == address)
        return Principal(user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), user.tier, True)

    def submit(self) -> SubmitAssessment:
        return SubmitAssessment(self.uow(), self.clock, self.ids, self.norms_policy)

    def mine(self) -> GetMyAssessments:
        return GetMyAssessments(self.uow(), self.norms_policy)

    def instrument(self) -> GetInstrument:
        return GetInstrument()

    def set_consent(self) -> SetConsent:
        return SetConsent(self.uow(), self.clock, self.policy)

    def consents(self) -> ListConsents:
        return ListConsents(self.uow())

    async def consent(
        self, principal: Principal, purpose: str, *, granted: bool = True
    ) -> ConsentView:
        return await self.set_consent()(principal, ConsentChange(purpose, granted, PHONE))
