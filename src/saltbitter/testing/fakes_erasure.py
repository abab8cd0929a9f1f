"""In-memory fakes of the erasure ports (docs/privacy.md) over the accounts, payments and
outbox fakes' state; the claims behave as the SQL ``UPDATE ... RETURNING`` does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from saltbitter.application.ports.erasure import (
    ErasureReminder,
    ErasureSchedule,
    OutboxPurge,
    PaymentCustomers,
)
from saltbitter.domain.accounts import AccountStatus
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes import OutboxState
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_payments import PaymentsState
from saltbitter.testing.memory import InMemoryRepository
from saltbitter.testing.privacy import plain

__all__ = [
    "ErasureState",
    "InMemoryErasureSchedule",
    "InMemoryOutboxPurge",
    "InMemoryPaymentCustomers",
]


@dataclass
class ErasureState:
    """``users``' reminder and claim columns, keyed by member and erasure date (a new
    request has a new date, so its marks start afresh, as the SQL save clears them)."""

    reminded: dict[tuple[UserId, datetime], int] = field(default_factory=dict)
    claimed: dict[UserId, datetime] = field(default_factory=dict)


class InMemoryErasureSchedule(InMemoryRepository, ErasureSchedule):
    def _pending(self) -> list[tuple[UserId, datetime]]:
        return [
            (user.id, user.erasure_due_at)
            for user in self._connection.state(AccountsState).users.values()
            if user.status is AccountStatus.PENDING_DELETION and user.erasure_due_at is not None
        ]

    async def mark_reminders(self, now: datetime, days: int) -> Sequence[ErasureReminder]:
        state = self._connection.state(ErasureState)
        marked = []
        for member, due in self._pending():
            previous = state.reminded.get((member, due))
            if now < due <= now + timedelta(days=days) and (previous is None or previous > days):
                state.reminded[(member, due)] = days
                marked.append(ErasureReminder(member, due, days))
        return marked

    async def claim_due(self, now: datetime, lease: timedelta) -> Sequence[UserId]:
        state = self._connection.state(ErasureState)
        claimed = []
        for member, due in self._pending():
            previous = state.claimed.get(member)
            if due <= now and (previous is None or previous < now - lease):
                state.claimed[member] = now
                claimed.append(member)
        return claimed

    async def claim_now(self, member: UserId, now: datetime) -> bool:
        user = self._connection.state(AccountsState).users.get(member)
        if user is None:
            return False
        user.status = AccountStatus.PENDING_DELETION
        user.erasure_due_at = now
        self._connection.state(ErasureState).claimed[member] = now
        return True

    async def holds_claim(self, member: UserId, claimed_at: datetime) -> bool:
        user = self._connection.state(AccountsState).users.get(member)
        state = self._connection.state(ErasureState)
        if user is None or user.status is not AccountStatus.PENDING_DELETION:
            return False
        if state.claimed.get(member) != claimed_at:
            return False
        # The row goes with the erasure; so do its marks.
        del state.claimed[member]
        for key in [key for key in state.reminded if key[0] == member]:
            del state.reminded[key]
        return True


class InMemoryPaymentCustomers(InMemoryRepository, PaymentCustomers):
    async def customer_ids(self, member: UserId) -> Sequence[str]:
        records = self._connection.state(PaymentsState).subscriptions.values()
        return [record.customer_id for record in records if record.member == member]


class InMemoryOutboxPurge(InMemoryRepository, OutboxPurge):
    async def purge_naming(self, member: UserId) -> int:
        state = self._connection.state(OutboxState)
        needles = (str(member), member.hex)
        naming = {
            message.id
            for message in state.messages
            if any(needle in str(plain(message.event)) for needle in needles)
        }
        state.messages = [m for m in state.messages if m.id not in naming]
        for message_id in naming:
            state.dispatched.pop(message_id, None)
        return len(naming)
