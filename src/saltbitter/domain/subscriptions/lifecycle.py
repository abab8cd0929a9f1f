"""The subscription lifecycle as an immutable state machine (docs/product-rules.md 9).

States and what moves between them (anything else raises ``illegal_transition``)::

    free/canceled --subscribe--> active          free/canceled --start_trial--> trialing
    trialing --payment_succeeded--> active       trialing --period_end--> canceled
    trialing/active --upgrade/downgrade--> same state, new paid tier
    trialing/active --cancel--> canceling        (cancel at period end; keeps the tier)
    trialing/active --payment_failed--> past_due (grace deadline = now + grace days)
    active --payment_succeeded--> active         (renewal: the later period end wins)
    past_due --payment_succeeded--> active       past_due --payment_failed--> past_due
    past_due --grace_expired--> canceled         past_due --cancel--> canceled (now)
    canceling --resume--> active (or trialing)   canceling --period_end--> canceled

Commands a member gives are verbs (``subscribe``, ``cancel``); facts reported by the
payment provider or the clock are ``on_*`` methods. Each returns a new value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from saltbitter.domain.errors import DomainRuleViolated, ValidationFailed
from saltbitter.domain.shared import Tier

from .catalog import tier_rank

__all__ = ["DEFAULT_GRACE_DAYS", "Subscription", "SubscriptionEvent", "SubscriptionState"]

DEFAULT_GRACE_DAYS = 7
"""Days a failed payment keeps the paid tier before the downgrade (configurable)."""


class SubscriptionState(StrEnum):
    FREE = "free"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    # Canceled at period end: still paid up, ends when the period does.
    CANCELING = "canceling"
    CANCELED = "canceled"


class SubscriptionEvent(StrEnum):
    SUBSCRIBE = "subscribe"
    START_TRIAL = "start_trial"
    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"
    CANCEL = "cancel"
    RESUME = "resume"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PERIOD_END = "period_end"
    GRACE_EXPIRED = "grace_expired"


_S = SubscriptionState
_E = SubscriptionEvent

_ALLOWED_EVENTS: dict[SubscriptionState, frozenset[SubscriptionEvent]] = {
    _S.FREE: frozenset({_E.SUBSCRIBE, _E.START_TRIAL}),
    _S.TRIALING: frozenset(
        {
            _E.UPGRADE,
            _E.DOWNGRADE,
            _E.CANCEL,
            _E.PAYMENT_FAILED,
            _E.PAYMENT_SUCCEEDED,
            _E.PERIOD_END,
        }
    ),
    _S.ACTIVE: frozenset(
        {_E.UPGRADE, _E.DOWNGRADE, _E.CANCEL, _E.PAYMENT_FAILED, _E.PAYMENT_SUCCEEDED}
    ),
    _S.PAST_DUE: frozenset({_E.CANCEL, _E.PAYMENT_FAILED, _E.PAYMENT_SUCCEEDED, _E.GRACE_EXPIRED}),
    _S.CANCELING: frozenset({_E.RESUME, _E.PERIOD_END}),
    _S.CANCELED: frozenset({_E.SUBSCRIBE, _E.START_TRIAL}),
}

_PAID_STATES = frozenset({_S.TRIALING, _S.ACTIVE, _S.PAST_DUE, _S.CANCELING})


def _require_aware(value: datetime, field_name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed.single(field_name, "Times must carry a time zone.", "naive_datetime")


def _require_paid_tier(tier: Tier) -> None:
    if tier is Tier.FREE:
        raise ValidationFailed.single("tier", "Choose a paid tier.", "not_a_paid_tier")


def _require_future(moment: datetime, now: datetime, field_name: str) -> None:
    _require_aware(moment, field_name)
    _require_aware(now, "now")
    if moment <= now:
        raise ValidationFailed.single(field_name, "This must lie in the future.", "not_in_future")


@dataclass(frozen=True, slots=True)
class Subscription:
    """One member's subscription.

    ``tier`` is the plan tier: Free in the free and canceled states, a paid tier in
    every other state. What the member may use right now is ``effective_tier(now)``.
    ``current_period_end`` is the end of the paid (or trial) period; ``grace_deadline``
    is set only while past due; ``is_trial`` marks a trial period (also when a trial is
    canceling); ``trial_used`` remembers that a trial was granted once.
    """

    state: SubscriptionState = SubscriptionState.FREE
    tier: Tier = Tier.FREE
    current_period_end: datetime | None = None
    grace_deadline: datetime | None = None
    is_trial: bool = False
    trial_used: bool = False

    def __post_init__(self) -> None:
        problem = self._invariant_problem()
        if problem is not None:
            raise DomainRuleViolated(
                f"Inconsistent subscription: {problem}.", code="invalid_subscription"
            )
        for name in ("current_period_end", "grace_deadline"):
            moment = getattr(self, name)
            if moment is not None:
                _require_aware(moment, name)

    def _invariant_problem(self) -> str | None:
        paid = self.state in _PAID_STATES
        if paid == (self.tier is Tier.FREE):
            return f"{self.state} requires {'a paid' if paid else 'the free'} tier"
        if paid != (self.current_period_end is not None):
            return "a period end exists exactly in the paid states"
        if (self.state is _S.PAST_DUE) != (self.grace_deadline is not None):
            return "a grace deadline exists exactly while past due"
        if self.is_trial and self.state not in {_S.TRIALING, _S.CANCELING}:
            return "only a trialing or canceling subscription can be in a trial"
        if self.state is _S.TRIALING and not self.is_trial:
            return "a trialing subscription is in a trial"
        if self.is_trial and not self.trial_used:
            return "a trial in progress counts as used"
        return None

    # --- queries ---------------------------------------------------------------------

    @classmethod
    def free(cls) -> Subscription:
        return cls()

    @property
    def is_paid(self) -> bool:
        """True in the states that carry a paid tier (trialing, active, past due, canceling)."""
        return self.state in _PAID_STATES

    def allows(self, event: SubscriptionEvent) -> bool:
        """Whether ``event`` is legal in the current state (time and argument checks aside)."""
        return event in _ALLOWED_EVENTS[self.state]

    def effective_tier(self, now: datetime) -> Tier:
        """The tier whose entitlements apply at ``now``.

        Past due keeps the paid tier until the grace deadline; canceling and trialing
        keep it until the period ends, even before the period-end event is recorded.
        Active keeps it past the period end: a renewal arrives as a payment event, and
        the nightly reconciliation catches a lost one.
        """
        _require_aware(now, "now")
        match self.state:
            case _S.ACTIVE:
                return self.tier
            case _S.PAST_DUE:
                assert self.grace_deadline is not None  # guaranteed by the invariants
                return self.tier if now < self.grace_deadline else Tier.FREE
            case _S.TRIALING | _S.CANCELING:
                assert self.current_period_end is not None
                return self.tier if now < self.current_period_end else Tier.FREE
            case _:
                return Tier.FREE

    # --- member commands ------------------------------------------------------------

    def subscribe(self, tier: Tier, *, now: datetime, period_end: datetime) -> Subscription:
        """Start paying for ``tier`` (after checkout succeeded) until ``period_end``."""
        self._require(_E.SUBSCRIBE)
        _require_paid_tier(tier)
        _require_future(period_end, now, "period_end")
        return Subscription(
            state=_S.ACTIVE, tier=tier, current_period_end=period_end, trial_used=self.trial_used
        )

    def start_trial(self, tier: Tier, *, now: datetime, trial_end: datetime) -> Subscription:
        """Try ``tier`` until ``trial_end``; one trial per member."""
        self._require(_E.START_TRIAL)
        if self.trial_used:
            raise DomainRuleViolated(
                "A free trial can be used only once.", code="trial_already_used"
            )
        _require_paid_tier(tier)
        _require_future(trial_end, now, "trial_end")
        return Subscription(
            state=_S.TRIALING,
            tier=tier,
            current_period_end=trial_end,
            is_trial=True,
            trial_used=True,
        )

    def upgrade(self, tier: Tier) -> Subscription:
        """Move to a higher tier at once; the payment provider prorates the difference."""
        self._require(_E.UPGRADE)
        if tier_rank(tier) <= tier_rank(self.tier):
            raise DomainRuleViolated(f"{tier} is not above {self.tier}.", code="not_an_upgrade")
        return replace(self, tier=tier)

    def downgrade(self, tier: Tier) -> Subscription:
        """Move to a lower *paid* tier at once (prorated); to stop paying, cancel instead."""
        self._require(_E.DOWNGRADE)
        _require_paid_tier(tier)
        if tier_rank(tier) >= tier_rank(self.tier):
            raise DomainRuleViolated(f"{tier} is not below {self.tier}.", code="not_a_downgrade")
        return replace(self, tier=tier)

    def cancel(self) -> Subscription:
        """Cancel at period end; a past-due subscription (nothing paid up) ends now."""
        self._require(_E.CANCEL)
        if self.state is _S.PAST_DUE:
            return self._ended()
        return replace(self, state=_S.CANCELING)

    def resume(self, *, now: datetime) -> Subscription:
        """Undo a cancellation before the period ends."""
        self._require(_E.RESUME)
        _require_aware(now, "now")
        assert self.current_period_end is not None  # canceling is a paid state
        if now >= self.current_period_end:
            raise DomainRuleViolated(
                "The period has ended; subscribe again instead.", code="period_ended"
            )
        return replace(self, state=_S.TRIALING if self.is_trial else _S.ACTIVE)

    # --- facts from the payment provider and the clock -------------------------------

    def on_payment_failed(
        self, *, now: datetime, grace_days: int = DEFAULT_GRACE_DAYS
    ) -> Subscription:
        """Keep the tier for ``grace_days``; a repeated failure does not extend the grace."""
        self._require(_E.PAYMENT_FAILED)
        _require_aware(now, "now")
        if type(grace_days) is not int or grace_days < 0:
            raise ValidationFailed.single("grace_days", "Grace is a whole number of days >= 0.")
        if self.state is _S.PAST_DUE:
            return self
        return replace(
            self,
            state=_S.PAST_DUE,
            grace_deadline=now + timedelta(days=grace_days),
            is_trial=False,
        )

    def on_payment_succeeded(self, *, now: datetime, period_end: datetime) -> Subscription:
        """Paid through ``period_end``: active again, grace cleared, trial converted.

        The later of the known and the reported period end wins, so a late, older
        invoice event cannot shorten a period (webhooks may arrive out of order).
        """
        self._require(_E.PAYMENT_SUCCEEDED)
        _require_future(period_end, now, "period_end")
        assert self.current_period_end is not None  # a paid state
        return replace(
            self,
            state=_S.ACTIVE,
            current_period_end=max(period_end, self.current_period_end),
            grace_deadline=None,
            is_trial=False,
        )

    def on_period_end(self, *, now: datetime) -> Subscription:
        """A canceling subscription, or a trial that was never paid for, ends."""
        self._require(_E.PERIOD_END)
        _require_aware(now, "now")
        assert self.current_period_end is not None  # a paid state
        if now < self.current_period_end:
            raise DomainRuleViolated("The period has not ended yet.", code="period_not_ended")
        return self._ended()

    def on_grace_expired(self, *, now: datetime) -> Subscription:
        """The grace after a failed payment ran out: downgrade to Free."""
        self._require(_E.GRACE_EXPIRED)
        _require_aware(now, "now")
        assert self.grace_deadline is not None  # past due
        if now < self.grace_deadline:
            raise DomainRuleViolated(
                "The grace period has not expired yet.", code="grace_not_expired"
            )
        return self._ended()

    # --- helpers ------------------------------------------------------------------------

    def _require(self, event: SubscriptionEvent) -> None:
        if not self.allows(event):
            raise DomainRuleViolated(
                f"Cannot {event.value.replace('_', ' ')} a subscription that is "
                f"{self.state.value.replace('_', ' ')}.",
                code="illegal_transition",
            )

    def _ended(self) -> Subscription:
        return Subscription(state=_S.CANCELED, trial_used=self.trial_used)
