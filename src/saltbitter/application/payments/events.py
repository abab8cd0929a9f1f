"""Events the payments capability publishes (tags are stored: never rename them)."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.ports.events import Event, JobParameters
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "PaymentFailed",
    "ReconcileParameters",
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
