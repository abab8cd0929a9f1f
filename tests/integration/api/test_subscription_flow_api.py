"""A hypothesis state machine drives a member's subscription through the HTTP API against
the embedded test-mode stand-in (a live API on SQLite).

The member checks out and presses the test checkout page's Pay or Fail (the stand-in
then posts its signed webhooks to /webhooks/stripe), upgrades and downgrades (PATCH),
cancels (DELETE), resumes, and Stripe may end the subscription (a signed
``customer.subscription.deleted``). A small model says what should follow; after every
step the API must agree with it: ``GET /subscriptions/me`` reports the model's state,
tier, effective tier and scheduled downgrade, ``GET /me`` carries the model's tier (what
every entitlement is read from), and nothing ever answers 5xx. The stand-in's late
webhooks (it sends them after each change, as Stripe does) are given time to arrive
before the checks, so a late event that rolled state back would be caught.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from saltbitter.entrypoints.settings import Settings
from support.hypothesis_budget import budget
from support.live_api import Api, LiveServer, eventually
from support.payments_api import checkout_and_pay, end_subscription

pytestmark = pytest.mark.timeout(300)

PAID = st.sampled_from(["premium", "elite"])
RANK = {"free": 0, "premium": 1, "elite": 2}
SETTLE = 0.25  # seconds for the stand-in's webhooks (sent 50 ms after a change) to land


class _Recording(httpx.Client):
    """An httpx client that remembers every status it saw (the no-5xx invariant)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.server_errors: list[str] = []

    def send(self, request: httpx.Request, **options: Any) -> httpx.Response:  # type: ignore[override]
        response = super().send(request, **options)
        if response.status_code >= 500:
            self.server_errors.append(f"{request.method} {request.url.path} {response.status_code}")
        return response


@dataclass
class Model:
    state: str = "free"
    tier: str = "free"
    scheduled: str | None = None

    @property
    def paid(self) -> bool:
        return self.state in {"active", "canceling"}


def flow(api: Api, settings_: Settings) -> type[RuleBasedStateMachine]:
    class SubscriptionFlowOverHttp(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = Model()
            self.email = ""
            self.headers: dict[str, str] = {}

        @initialize()
        def member(self) -> None:
            self.email = api.verified_member()
            self.headers = api.bearer(api.login(self.email))

        def _expect(self, response: httpx.Response, status: int, code: str | None = None) -> None:
            assert response.status_code == status, (self.model, response.text)
            if code is not None:
                assert response.json()["code"] == code, response.text
            if status == 200:
                time.sleep(SETTLE)  # the stand-in's webhooks about the change land

        @rule(tier=PAID, pay=st.booleans())
        def checkout(self, tier: str, pay: bool) -> None:
            status = checkout_and_pay(api, self.headers, tier, paid=pay)
            if self.model.paid:
                assert status == 409, self.model  # already_subscribed: change the tier
                return
            assert status == 200
            if pay:
                self.model = Model("active", tier)
                assert eventually(lambda: self._subscription()["state"] == "active")
            time.sleep(SETTLE)

        @rule(tier=PAID)
        def change_tier(self, tier: str) -> None:
            answer = api.http.patch(
                "/api/v1/subscriptions/me", json={"tier": tier}, headers=self.headers
            )
            model = self.model
            if not model.paid:
                self._expect(answer, 404, "no_subscription")
            elif model.state == "canceling":
                self._expect(answer, 422, "illegal_transition")
            elif RANK[tier] > RANK[model.tier]:
                self._expect(answer, 200)
                self.model = Model("active", tier)  # now, prorated
            elif RANK[tier] < RANK[model.tier]:
                self._expect(answer, 200)
                self.model = Model("active", model.tier, tier)  # at period end
            else:
                self._expect(answer, 422, "not_a_downgrade")

        @rule()
        def cancel(self) -> None:
            answer = api.http.delete("/api/v1/subscriptions/me", headers=self.headers)
            if not self.model.paid:
                self._expect(answer, 404, "no_subscription")
            elif self.model.state == "canceling":
                self._expect(answer, 422, "illegal_transition")
            else:
                self._expect(answer, 200)
                self.model = Model("canceling", self.model.tier, self.model.scheduled)

        @rule()
        def resume(self) -> None:
            answer = api.http.post("/api/v1/subscriptions/me/resume", headers=self.headers)
            if not self.model.paid:
                self._expect(answer, 404, "no_subscription")
            elif self.model.state == "active":
                self._expect(answer, 422, "illegal_transition")
            else:
                self._expect(answer, 200)
                self.model = Model("active", self.model.tier, self.model.scheduled)

        @precondition(lambda self: self.model.paid)
        @rule()
        def stripe_ends_it(self) -> None:
            end_subscription(api, settings_, self.email)
            self.model = Model("canceled")

        def _subscription(self) -> dict[str, Any]:
            answer = api.http.get("/api/v1/subscriptions/me", headers=self.headers)
            assert answer.status_code == 200, answer.text
            body: dict[str, Any] = answer.json()
            return body

        @invariant()
        def the_api_reports_the_models_subscription(self) -> None:
            if not self.headers:
                return
            shown = self._subscription()
            model = self.model
            assert (shown["state"], shown["tier"], shown["effective_tier"]) == (
                model.state,
                model.tier,
                model.tier,
            ), (shown, model)
            assert shown["cancel_at_period_end"] is (model.state == "canceling")
            assert shown["test_mode"] is True
            if model.paid:
                assert shown["scheduled_tier"] == model.scheduled, (shown, model)

        @invariant()
        def every_request_carries_the_models_tier(self) -> None:
            if not self.headers:
                return
            me = api.http.get("/api/v1/me", headers=self.headers)
            assert me.status_code == 200, me.text
            assert me.json()["tier"] == self.model.tier

        @invariant()
        def nothing_answers_5xx(self) -> None:
            assert isinstance(api.http, _Recording)
            assert api.http.server_errors == []

    return SubscriptionFlowOverHttp


@pytest.fixture
def live_api(live_server_factory: Callable[..., LiveServer]) -> Iterator[tuple[Api, Settings]]:
    with (
        live_server_factory() as server,
        _Recording(base_url=server.url, timeout=30) as http,
    ):
        yield Api(http, server.settings.mail_folder), server.settings


def test_the_subscription_flow_over_http_agrees_with_the_model(
    live_api: tuple[Api, Settings],
) -> None:
    api, server_settings = live_api
    run_state_machine_as_test(
        flow(api, server_settings),
        settings=settings(
            max_examples=budget(50),  # 10 everyday (about 30 s), 50 under "thorough"
            # No shrinking: every replay is a dozen HTTP calls and webhook waits; a failing
            # run of at most 8 steps is printed as it was found, readable as it is.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
