"""Model-based test of the subscription lifecycle with a hypothesis state machine.

The model below is written from docs/product-rules.md 9, independently of the
implementation: a plain mutable record updated by the rules as we understand them.
Every step compares the real immutable value with the model and checks the invariants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from saltbitter.domain.errors import DomainRuleViolated
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import Subscription, SubscriptionState
from support.hypothesis_budget import budget

RANK = {"free": 0, "premium": 1, "elite": 2}
PAID_STATES = {"trialing", "active", "past_due", "canceling"}
LEGAL_EVENTS = {
    "free": {"subscribe", "start_trial"},
    "trialing": {
        "upgrade",
        "downgrade",
        "cancel",
        "payment_failed",
        "payment_succeeded",
        "period_end",
    },
    "active": {"upgrade", "downgrade", "cancel", "payment_failed", "payment_succeeded"},
    "past_due": {"cancel", "payment_failed", "payment_succeeded", "grace_expired"},
    "canceling": {"resume", "period_end"},
    "canceled": {"subscribe", "start_trial"},
}
GRACE = timedelta(days=7)


@dataclass
class Model:
    state: str = "free"
    tier: str = "free"
    period_end: datetime | None = None
    grace_deadline: datetime | None = None
    in_trial: bool = False
    trial_used: bool = False

    def end(self) -> None:
        self.state, self.tier = "canceled", "free"
        self.period_end = self.grace_deadline = None
        self.in_trial = False


class Refused(Exception):
    """The model expects the domain to refuse the step with this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SubscriptionLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2025, 1, 1, tzinfo=UTC)
        self.subscription = Subscription.free()
        self.model = Model()

    # --- the harness: run the real step and the model step, compare --------------

    def step(self, event: str, real: object, expected: object) -> None:
        before = self.subscription
        model_before = Model(**vars(self.model))
        refusal_code: str | None = None
        try:
            if event not in LEGAL_EVENTS[self.model.state]:
                raise Refused("illegal_transition")
            expected()  # type: ignore[operator]
        except Refused as refusal:
            refusal_code = refusal.code
        if refusal_code is None:
            self.subscription = real()  # type: ignore[operator]
            return
        self.model = model_before
        with pytest.raises(DomainRuleViolated) as caught:
            real()  # type: ignore[operator]
        assert caught.value.code == refusal_code, (event, self.model)
        assert self.subscription is before

    # --- rules -------------------------------------------------------------------

    # From Free only 2 of the 12 rules are legal; starting some runs already paid keeps
    # the walk from spending most of its steps being refused.
    @initialize(
        start=st.sampled_from(["free", "subscribe", "start_trial"]),
        tier=st.sampled_from([Tier.PREMIUM, Tier.ELITE]),
        days=st.integers(1, 40),
    )
    def begin(self, start: str, tier: Tier, days: int) -> None:
        if start == "subscribe":
            self.subscribe(tier, days)
        elif start == "start_trial":
            self.start_trial(tier, days)

    # Whole days and hours, so that "now" often lands exactly on a deadline.
    @rule(
        delta=st.one_of(
            st.integers(0, 20).map(lambda days: timedelta(days=days)),
            st.integers(1, 48).map(lambda hours: timedelta(hours=hours)),
        )
    )
    def time_passes(self, delta: timedelta) -> None:
        self.now += delta

    # Deadlines are where off-by-one mistakes live: jump to just before, on, or after,
    # and let the scheduler report the deadline there and then (or not).
    @precondition(lambda machine: machine.model.period_end is not None)
    @rule(offset=st.sampled_from([0, -1, 1]), report=st.booleans())
    def time_reaches_the_period_end(self, offset: int, report: bool) -> None:
        assert self.model.period_end is not None
        self.now = max(self.now, self.model.period_end + timedelta(seconds=offset))
        if report:
            self.period_end()

    @precondition(lambda machine: machine.model.grace_deadline is not None)
    @rule(offset=st.sampled_from([0, -1, 1]), report=st.booleans())
    def time_reaches_the_grace_deadline(self, offset: int, report: bool) -> None:
        assert self.model.grace_deadline is not None
        self.now = max(self.now, self.model.grace_deadline + timedelta(seconds=offset))
        if report:
            self.grace_expired()

    @rule(tier=st.sampled_from(Tier), days=st.integers(1, 40))
    def subscribe(self, tier: Tier, days: int) -> None:
        period_end = self.now + timedelta(days=days)

        def expected() -> None:
            if tier is Tier.FREE:
                raise Refused("validation_failed")
            self.model.state, self.model.tier, self.model.period_end = "active", tier, period_end

        self.step(
            "subscribe",
            lambda: self.subscription.subscribe(tier, now=self.now, period_end=period_end),
            expected,
        )

    @rule(tier=st.sampled_from(Tier), days=st.integers(1, 40))
    def start_trial(self, tier: Tier, days: int) -> None:
        trial_end = self.now + timedelta(days=days)

        def expected() -> None:
            if self.model.trial_used:
                raise Refused("trial_already_used")
            if tier is Tier.FREE:
                raise Refused("validation_failed")
            self.model.state, self.model.tier, self.model.period_end = "trialing", tier, trial_end
            self.model.in_trial = self.model.trial_used = True

        self.step(
            "start_trial",
            lambda: self.subscription.start_trial(tier, now=self.now, trial_end=trial_end),
            expected,
        )

    @rule(tier=st.sampled_from(Tier))
    def upgrade(self, tier: Tier) -> None:
        def expected() -> None:
            if RANK[tier] <= RANK[self.model.tier]:
                raise Refused("not_an_upgrade")
            self.model.tier = tier

        self.step("upgrade", lambda: self.subscription.upgrade(tier), expected)

    @rule(tier=st.sampled_from(Tier))
    def downgrade(self, tier: Tier) -> None:
        def expected() -> None:
            if tier is Tier.FREE:
                raise Refused("validation_failed")
            if RANK[tier] >= RANK[self.model.tier]:
                raise Refused("not_a_downgrade")
            self.model.tier = tier

        self.step("downgrade", lambda: self.subscription.downgrade(tier), expected)

    @rule()
    def cancel(self) -> None:
        def expected() -> None:
            if self.model.state == "past_due":
                self.model.end()
            else:
                self.model.state = "canceling"

        self.step("cancel", self.subscription.cancel, expected)

    @rule()
    def resume(self) -> None:
        def expected() -> None:
            assert self.model.period_end is not None
            if self.now >= self.model.period_end:
                raise Refused("period_ended")
            self.model.state = "trialing" if self.model.in_trial else "active"

        self.step("resume", lambda: self.subscription.resume(now=self.now), expected)

    @rule()
    def payment_failed(self) -> None:
        def expected() -> None:
            if self.model.state != "past_due":
                self.model.state = "past_due"
                self.model.grace_deadline = self.now + GRACE
                self.model.in_trial = False

        self.step(
            "payment_failed", lambda: self.subscription.on_payment_failed(now=self.now), expected
        )

    @rule(days=st.integers(1, 40))
    def payment_succeeded(self, days: int) -> None:
        period_end = self.now + timedelta(days=days)

        def expected() -> None:
            assert self.model.period_end is not None
            self.model.state = "active"
            self.model.period_end = max(self.model.period_end, period_end)
            self.model.grace_deadline = None
            self.model.in_trial = False

        self.step(
            "payment_succeeded",
            lambda: self.subscription.on_payment_succeeded(now=self.now, period_end=period_end),
            expected,
        )

    @rule()
    def period_end(self) -> None:
        def expected() -> None:
            assert self.model.period_end is not None
            if self.now < self.model.period_end:
                raise Refused("period_not_ended")
            self.model.end()

        self.step("period_end", lambda: self.subscription.on_period_end(now=self.now), expected)

    @rule()
    def grace_expired(self) -> None:
        def expected() -> None:
            assert self.model.grace_deadline is not None
            if self.now < self.model.grace_deadline:
                raise Refused("grace_not_expired")
            self.model.end()

        self.step(
            "grace_expired", lambda: self.subscription.on_grace_expired(now=self.now), expected
        )

    # --- invariants ----------------------------------------------------------------

    @invariant()
    def matches_the_model(self) -> None:
        real = self.subscription
        assert real.state.value == self.model.state
        assert real.tier.value == self.model.tier
        assert real.current_period_end == self.model.period_end
        assert real.grace_deadline == self.model.grace_deadline
        assert real.is_trial == self.model.in_trial
        assert real.trial_used == self.model.trial_used

    @invariant()
    def free_states_have_the_free_tier_and_paid_states_a_paid_one(self) -> None:
        real = self.subscription
        if real.state in {SubscriptionState.FREE, SubscriptionState.CANCELED}:
            assert real.tier is Tier.FREE
            assert real.effective_tier(self.now) is Tier.FREE
            assert not real.is_paid
        else:
            assert real.tier is not Tier.FREE
            assert real.is_paid

    @invariant()
    def exactly_one_state_and_its_markers(self) -> None:
        real = self.subscription
        matching = [state for state in SubscriptionState if real.state == state]
        assert len(matching) == 1
        # The markers that distinguish states never overlap.
        assert (real.grace_deadline is not None) == (real.state is SubscriptionState.PAST_DUE)
        if real.is_trial:
            assert real.state in {SubscriptionState.TRIALING, SubscriptionState.CANCELING}

    @invariant()
    def effective_tier_follows_deadlines(self) -> None:
        real = self.subscription
        effective = real.effective_tier(self.now)
        assert RANK[effective] <= RANK[real.tier]
        if real.state is SubscriptionState.ACTIVE:
            assert effective is real.tier
        if real.state is SubscriptionState.PAST_DUE:
            assert real.grace_deadline is not None
            assert (effective is real.tier) == (self.now < real.grace_deadline)
        if real.state in {SubscriptionState.CANCELING, SubscriptionState.TRIALING}:
            assert real.current_period_end is not None
            assert (effective is real.tier) == (self.now < real.current_period_end)


SubscriptionLifecycle.TestCase.settings = settings(
    max_examples=budget(100), stateful_step_count=30, deadline=None
)
TestSubscriptionLifecycle = SubscriptionLifecycle.TestCase
