"""Events the payments capability publishes (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ports.events import Event, JobParameters
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "PaymentFailed",
    "PurchaseSucceeded",
    "ReconcileParameters",
    "SpendingThresholdReached",
    "SubscriptionActivated",
    "SubscriptionEnded",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionActivated(Event):
    """A member went from Free to a paid tier (a confirmation email follows)."""

    name = "payments.subscription_activated"
    user_id: UserId
    tier: Tier


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFailed(Event):
    """A renewal failed: the member keeps the tier through the grace period."""

    name = "payments.payment_failed"
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionEnded(Event):
    name = "payments.subscription_ended"
    user_id: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcileParameters(JobParameters):
    dry_run: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchaseSucceeded(Event):
    """A one-off purchase was paid (once per purchase). ``item`` is a ``PurchaseItem``
    value; ``event_id`` names the community event an ``event_ticket`` is for."""

    name = "payments.purchase_succeeded"
    user_id: UserId
    purchase_id: UUID
    item: str
    quantity: int
    amount_cents: int
    event_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SpendingThresholdReached(Event):
    """The member's purchases in ``month`` (UTC, ``YYYY-MM``) reached
    ``threshold_cents`` (50 or 100 USD): announced once per threshold and month."""

    name = "payments.spending_threshold_reached"
    user_id: UserId
    threshold_cents: int
    month: str
