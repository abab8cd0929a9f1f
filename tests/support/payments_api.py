"""Subscriptions over HTTP against the embedded test-mode stand-in, for live-API tests.

``subscribe`` goes the member's way (checkout, the test checkout page's Pay button, the
stand-in's signed webhooks); ``end_subscription`` delivers the Stripe-signed
``customer.subscription.deleted`` that Stripe sends when a subscription ends (period
over, grace expired, canceled in the dashboard).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from saltbitter.adapters.stripe import sign_payload
from saltbitter.entrypoints.settings import Settings
from support.live_api import Api, eventually

__all__ = [
    "checkout_and_pay",
    "end_subscription",
    "send_signed",
    "stand_in_state",
    "subscribe",
]


def stand_in_state(settings: Settings) -> dict[str, Any]:
    path: Path = settings.data_dir / "payments-test-mode.json"
    state: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return state


def send_signed(api: Api, settings: Settings, event: dict[str, Any]) -> httpx.Response:
    payload = json.dumps(event).encode()
    signature = sign_payload(payload, settings.effective_stripe_webhook_secret(), int(time.time()))
    return api.http.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def checkout_and_pay(api: Api, headers: dict[str, str], tier: str, *, paid: bool = True) -> int:
    """Start a checkout and press the test page's Pay (or Fail); the checkout's status."""
    started = api.http.post("/api/v1/subscriptions/checkout", json={"tier": tier}, headers=headers)
    if started.status_code != 200:
        return started.status_code
    path = httpx.URL(started.json()["checkout_url"]).path
    assert api.http.get(path).status_code == 200
    pressed = api.http.post(path + ("/pay" if paid else "/fail"), follow_redirects=False)
    assert pressed.status_code == 303, pressed.text
    return 200


def subscribe(api: Api, headers: dict[str, str], tier: str) -> None:
    """Pay for ``tier`` and wait until the stand-in's webhooks gave it to the member."""
    if tier == "free":
        return
    assert checkout_and_pay(api, headers, tier) == 200
    assert eventually(lambda: api.http.get("/api/v1/me", headers=headers).json()["tier"] == tier), (
        f"the member never became {tier}"
    )


def _next_second() -> int:
    time.sleep(1.0 - time.time() % 1.0 + 0.01)
    return int(time.time())


def end_subscription(api: Api, settings: Settings, email: str) -> None:
    """Stripe ends the member's subscription (``customer.subscription.deleted``)."""
    state = stand_in_state(settings)
    customer = next(cid for cid, c in state["customers"].items() if c["email"] == email)
    # The newest of the member's subscriptions (the stand-in keeps them in creation order).
    sub = [s for s in state["subscriptions"].values() if s["customer"] == customer][-1]
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "customer.subscription.deleted",
        # Stripe stamps whole seconds: start a fresh second, so the event is not older
        # than what was applied (a member's own change is stamped to the microsecond)
        # and the member's next subscription's events are not older than it.
        "created": _next_second(),
        "data": {"object": {**sub, "status": "canceled"}},
    }
    answer = send_signed(api, settings, event)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "applied", answer.text
