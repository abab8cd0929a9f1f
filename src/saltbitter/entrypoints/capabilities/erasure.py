"""Wiring of account deletion's jobs (docs/privacy.md): the daily erasure of accounts
whose grace period is over, and the reminder emails before it. Part of the accounts
capability (its providers, jobs and Beat entries are added there).

The deletion request and its cancellation are accounts' use cases (wired there); the
erasure walks the personal-data registry (``PrivacyProvider``) and reaches other
capabilities' stores only through its own ports.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.sqlalchemy.erasure import (
    SqlaErasureSchedule,
    SqlaOutboxPurge,
    SqlaPaymentCustomers,
)
from saltbitter.application.accounts import topics as accounts_topics
from saltbitter.application.accounts.deletion import QueueErasureReminders, SendErasureReminder
from saltbitter.application.accounts.events import ErasureReminderDue
from saltbitter.application.matching.forget import ForgetMemberCaches
from saltbitter.application.ports.erasure import ErasureSchedule, OutboxPurge, PaymentCustomers
from saltbitter.application.privacy.erasure import (
    ERASE_DUE_ACCOUNTS,
    ClaimDueErasures,
    Claimed,
    ClaimErasureNow,
    EraseAccount,
    ErasureOutcome,
)
from saltbitter.entrypoints.capabilities.base import Job

__all__ = [
    "BEAT_SCHEDULE",
    "ERASURE_EVERY_SECONDS",
    "JOBS",
    "ErasureProvider",
    "erase_claimed",
]

log = structlog.get_logger(__name__)

ERASURE_EVERY_SECONDS = 86_400.0
"""Daily, as the reminders: the 30-day grace period is counted in days."""


class ErasureProvider(Provider):
    scope = Scope.REQUEST

    schedule = provide(SqlaErasureSchedule, provides=ErasureSchedule)
    customers = provide(SqlaPaymentCustomers, provides=PaymentCustomers)
    outbox_purge = provide(SqlaOutboxPurge, provides=OutboxPurge)

    use_cases = provide_all(
        ClaimDueErasures,
        ClaimErasureNow,
        EraseAccount,
        QueueErasureReminders,
        SendErasureReminder,
    )


async def erase_claimed(scope: AsyncContainer, claimed: Claimed) -> Sequence[ErasureOutcome]:
    """Erase each claimed account in turn; one failure (the payment provider down) leaves
    that account claimed until the lease lapses and a later run retries it."""
    forget = await scope.get(ForgetMemberCaches)
    erase = await scope.get(EraseAccount)
    outcomes = []
    for member in claimed.members:
        try:
            # Others' cached daily sets naming the member go before the rows they come from.
            await forget(member)
            outcome = await erase(member, claimed.claimed_at)
        except Exception:
            # No member id in the log: logs are kept longer than the member.
            log.exception("erasure.failed")
            continue
        if outcome is not None:
            outcomes.append(outcome)
    log.info("erasure.done", claimed=len(claimed.members), erased=len(outcomes))
    return outcomes


async def _erase_due(scope: AsyncContainer, _: None) -> object:
    claimed = await (await scope.get(ClaimDueErasures))()
    return len(await erase_claimed(scope, claimed))


async def _queue_reminders(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(QueueErasureReminders))()


async def _send_reminder(scope: AsyncContainer, event: ErasureReminderDue) -> object:
    return await (await scope.get(SendErasureReminder))(event)


JOBS: dict[str, Job] = {
    ERASE_DUE_ACCOUNTS: Job(_erase_due),
    accounts_topics.QUEUE_ERASURE_REMINDERS: Job(_queue_reminders),
    accounts_topics.SEND_ERASURE_REMINDER: Job(_send_reminder),
}
"""Accounts' capability runs these (the erasure is the end of an account)."""

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "erase-due-accounts-daily": {"task": ERASE_DUE_ACCOUNTS, "schedule": ERASURE_EVERY_SECONDS},
    "queue-erasure-reminders-daily": {
        "task": accounts_topics.QUEUE_ERASURE_REMINDERS,
        "schedule": ERASURE_EVERY_SECONDS,
    },
}
