"""A hypothesis state machine drives a member's subscription through the use cases, the
provider's events and the clock (FakeWorld, in-memory provider): whatever happens, the
member's tier is the stored subscription's effective tier, the record is a valid
lifecycle state, and commands refused by the lifecycle change nothing."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from saltbitter.application.payments.reconcile import ReconcileSubscriptions
from saltbitter.application.payments.records import as_domain, effective_tier
from saltbitter.application.payments.subscriptions import (
    CancelSubscription,
    ChangeTier,
    ResumeSubscription,
    SubscribeWithPaymentMethod,
)
from saltbitter.application.payments.webhooks import HandleProviderEvent
from saltbitter.application.ports.payments import (
    GatewayStatus,
    ProviderEvent,
    SubscriptionRecord,
)
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import SaltbitterError
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_payments import PaymentsState
from support.container import FakeWorld
from support.hypothesis_budget import budget

PAID = st.sampled_from([Tier.PREMIUM, Tier.ELITE])


class SubscriptionFlow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.world = FakeWorld()
        user = a_user()
        self.world.database[AccountsState].users[user.id] = user
        self.member = Principal(
            user.id, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True
        )
        self.serial = 0

    def teardown(self) -> None:
        self.loop.close()

    def _run(self, use_case: type[object], *args: object) -> None:
        async def go() -> None:
            action = await self.world.get(use_case)
            # Refused by the lifecycle or the API rules: the invariants check the rest.
            with contextlib.suppress(SaltbitterError):
                await action(self.member, *args)  # type: ignore[operator]

        self.loop.run_until_complete(go())

    @rule(tier=PAID)
    def subscribe(self, tier: Tier) -> None:
        self._run(SubscribeWithPaymentMethod, tier, f"pm_{self.serial}")
        self.serial += 1

    @rule(tier=PAID)
    def change_tier(self, tier: Tier) -> None:
        self._run(ChangeTier, tier)

    @rule()
    def cancel(self) -> None:
        self._run(CancelSubscription)

    @rule()
    def resume(self) -> None:
        self._run(ResumeSubscription)

    @rule(status=st.sampled_from([GatewayStatus.PAST_DUE, GatewayStatus.CANCELED]))
    def provider_reports(self, status: GatewayStatus) -> None:
        record = self._record()
        if record is None or record.subscription_id is None:
            return
        snapshot = self.world.payments.subscriptions.get(record.subscription_id)
        if snapshot is None:
            return
        snapshot = replace(snapshot, status=status)
        self.world.payments.subscriptions[snapshot.id] = snapshot
        self.world.clock.advance(timedelta(seconds=2))
        event = ProviderEvent(
            id=f"evt_{self.serial}",
            type="customer.subscription.updated",
            created=self.world.clock.now(),
            customer_id=snapshot.customer_id,
            subscription_id=snapshot.id,
            subscription=snapshot,
        )
        self.serial += 1

        async def go() -> None:
            await (await self.world.get(HandleProviderEvent))(event)

        self.loop.run_until_complete(go())

    @rule(days=st.integers(1, 40))
    def time_passes_and_the_nightly_job_runs(self, days: int) -> None:
        self.world.clock.advance(timedelta(days=days))

        async def go() -> None:
            await (await self.world.get(ReconcileSubscriptions))()

        self.loop.run_until_complete(go())

    def _record(self) -> SubscriptionRecord | None:
        records = self.world.database[PaymentsState].subscriptions.values()
        return next((r for r in records if r.member == self.member.user_id), None)

    @invariant()
    def the_members_tier_is_the_effective_tier(self) -> None:
        record = self._record()
        tier = self.world.database[AccountsState].users[self.member.user_id].tier
        if record is None:
            assert tier is Tier.FREE
            return
        as_domain(record)  # a valid lifecycle state
        assert tier is effective_tier(record, self.world.clock.now()) or (
            # Between nightly runs an expired grace or period still shows the paid tier in
            # users.tier; the next request after the job sees Free.
            record.state.value in {"past_due", "canceling"}
        )


SubscriptionFlow.TestCase.settings = settings(
    max_examples=budget(100), stateful_step_count=20, deadline=None
)
test_subscription_flow = SubscriptionFlow.TestCase
