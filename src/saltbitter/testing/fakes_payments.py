"""In-memory fakes of the payments capability's ports, on the request's connection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from saltbitter.application.ports.payments import (
    MemberContacts,
    MemberTiers,
    SubscriptionRecord,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import InMemoryRepository

__all__ = [
    "InMemoryMemberContacts",
    "InMemoryMemberTiers",
    "InMemorySubscriptionStore",
    "InMemoryWebhookLedger",
    "PaymentsState",
]


@dataclass
class PaymentsState:
    """payment_subscriptions (by customer id), anonymised rows kept after an erasure
    (customer id -> record without its member), and payment_webhook_events."""

    subscriptions: dict[str, SubscriptionRecord] = field(default_factory=dict)
    anonymised: dict[str, dict[str, object]] = field(default_factory=dict)
    webhook_events: dict[str, tuple[str, datetime]] = field(default_factory=dict)

    def check(self) -> None:
        members = [record.member for record in self.subscriptions.values()]
        linked = [r.subscription_id for r in self.subscriptions.values() if r.subscription_id]
        if len(members) != len(set(members)) or len(linked) != len(set(linked)):
            raise Conflict("A payment record already exists.", code="payment_record_taken")


class _Payments(InMemoryRepository):
    @property
    def _state(self) -> PaymentsState:
        return self._connection.state(PaymentsState)


class InMemorySubscriptionStore(_Payments, SubscriptionStore):
    async def for_member(self, member: UserId) -> SubscriptionRecord | None:
        return next((r for r in self._state.subscriptions.values() if r.member == member), None)

    async def for_customer(self, customer_id: str) -> SubscriptionRecord | None:
        return self._state.subscriptions.get(customer_id)

    async def for_update(self, member: UserId) -> SubscriptionRecord | None:
        return await self.for_member(member)

    async def save(self, record: SubscriptionRecord) -> None:
        self._state.subscriptions[record.customer_id] = replace(record)

    async def linked(self, after: UserId | None, limit: int) -> Sequence[SubscriptionRecord]:
        records = sorted(
            (r for r in self._state.subscriptions.values() if r.subscription_id is not None),
            key=lambda record: str(record.member),
        )
        if after is not None:
            records = [r for r in records if str(r.member) > str(after)]
        return records[:limit]


class InMemoryWebhookLedger(_Payments, WebhookLedger):
    async def record(self, event_id: str, event_type: str, received_at: datetime) -> bool:
        if event_id in self._state.webhook_events:
            return False
        self._state.webhook_events[event_id] = (event_type, received_at)
        return True


class InMemoryMemberTiers(InMemoryRepository, MemberTiers):
    """Writes the tier of accounts' in-memory users (as the SQL class writes users.tier)."""

    async def set_tier(self, member: UserId, tier: Tier) -> None:
        user = self._connection.state(AccountsState).users.get(member)
        if user is not None:
            user.tier = tier

    async def current_tier(self, member: UserId) -> Tier | None:
        user = self._connection.state(AccountsState).users.get(member)
        return user.tier if user is not None else None


class InMemoryMemberContacts(InMemoryRepository, MemberContacts):
    async def email_of(self, member: UserId) -> str | None:
        user = self._connection.state(AccountsState).users.get(member)
        return str(user.email) if user is not None else None
