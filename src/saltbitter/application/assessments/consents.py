"""The member's side of the consent ledger: see every purpose, grant or withdraw one."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.assessments.dto import ConsentChange, ConsentView
from saltbitter.application.assessments.events import ConsentChanged
from saltbitter.application.ports.assessments import MemberConsents
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.application.shared.policy import AccountsPolicy
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord
from saltbitter.domain.errors import DomainRuleViolated, NotFound

__all__ = ["ListConsents", "SetConsent", "policy_version_for"]

# Agreeing to these is what having an account means; they end with the account (erasure).
_REQUIRED_FOR_ACCOUNT = frozenset({ConsentPurpose.TERMS, ConsentPurpose.PRIVACY})


def policy_version_for(purpose: ConsentPurpose, policy: AccountsPolicy) -> str:
    """The document a consent refers to: the terms, or the privacy policy that describes
    every processing purpose (sensitive data, AI features, marketing)."""
    return policy.terms_version if purpose is ConsentPurpose.TERMS else policy.privacy_version


@dataclass(frozen=True, slots=True)
class SetConsent:
    """Grant or withdraw one purpose; the ledger gains a line only when something changes.

    A line records the answer, the policy version it refers to, the time, the IP address
    and the user agent (GDPR Art. 7(1): consent must be demonstrable); agreeing again
    after the policy version changed adds a line too. Terms and privacy
    cannot be withdrawn while the account exists (``consent_required_for_account``; close
    the account instead). A change is announced as ``assessments.consent_changed``:
    withdrawing ``sensitive_data`` takes the member's attachment data out of matching,
    whose caches must forget it.
    """

    transaction: Transaction
    consents: MemberConsents
    outbox: Outbox
    clock: Clock
    policy: AccountsPolicy

    async def __call__(self, principal: Principal, change: ConsentChange) -> ConsentView:
        purpose = _purpose(change.purpose)
        if purpose in _REQUIRED_FOR_ACCOUNT and not change.granted:
            raise DomainRuleViolated(
                f"The {purpose.value} consent is part of having an account; close the "
                "account to withdraw it.",
                code="consent_required_for_account",
            )
        version = policy_version_for(purpose, self.policy)
        async with self.transaction:
            current = await self.consents.current(principal.user_id, purpose)
            if (
                current is not None
                and current.granted == change.granted
                and current.policy_version == version
            ):
                return _view(purpose, current)  # already so: PUT is idempotent
            record = ConsentRecord(
                user_id=principal.user_id,
                purpose=purpose,
                granted=change.granted,
                policy_version=version,
                recorded_at=self.clock.now(),
                ip_address=change.client.ip_address,
                user_agent=change.client.user_agent,
            )
            self.consents.append(record)
            # A first "no", or agreeing again to a newer policy version, is recorded but
            # changes nothing that other capabilities act on.
            was_granted = current is not None and current.granted
            if was_granted != change.granted:
                self.outbox.add(
                    ConsentChanged(
                        user_id=principal.user_id, purpose=purpose, granted=change.granted
                    )
                )
            await self.transaction.commit()
        return _view(purpose, record)


@dataclass(frozen=True, slots=True)
class ListConsents:
    """The current state of every purpose, in the ledger's fixed order of purposes."""

    consents: MemberConsents

    async def __call__(self, principal: Principal) -> list[ConsentView]:
        history = await self.consents.history(principal.user_id)
        latest: dict[ConsentPurpose, ConsentRecord] = {}
        for record in history:  # oldest first: the last line of a purpose is its state
            latest[record.purpose] = record
        return [_view(purpose, latest.get(purpose)) for purpose in ConsentPurpose]


def _purpose(raw: str) -> ConsentPurpose:
    try:
        return ConsentPurpose(raw)
    except ValueError:
        raise NotFound(
            f"There is no consent purpose {raw!r}; purposes are "
            f"{', '.join(purpose.value for purpose in ConsentPurpose)}.",
            code="consent_purpose_not_found",
        ) from None


def _view(purpose: ConsentPurpose, record: ConsentRecord | None) -> ConsentView:
    if record is None:
        return ConsentView(purpose, granted=False, policy_version=None, recorded_at=None)
    return ConsentView(purpose, record.granted, record.policy_version, record.recorded_at)
