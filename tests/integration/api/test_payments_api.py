"""Payments over HTTP on a live API (SQLite, and PostgreSQL + Redis), with the embedded
test-mode stand-in: the checkout page, and Stripe-signed webhooks delivered to
/webhooks/stripe (replayed, concurrent, reordered, badly signed)."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from saltbitter.adapters.stripe import sign_payload
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import signed_in
from support.live_api import Api, eventually

pytestmark = pytest.mark.timeout(120)


def _customer_of(settings: Settings, email: str) -> str:
    state = json.loads((settings.data_dir / "payments-test-mode.json").read_text("utf-8"))
    return next(cid for cid, c in state["customers"].items() if c["email"] == email)


def _send(
    api: Api, settings: Settings, event: dict[str, Any], *, secret: str | None = None
) -> httpx.Response:
    payload = json.dumps(event).encode()
    signature = sign_payload(
        payload, secret or settings.effective_stripe_webhook_secret(), int(time.time())
    )
    return api.http.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def _subscription(
    customer: str, sub_id: str, *, tier: str = "premium", **changes: Any
) -> dict[str, Any]:
    end = int(time.time()) + 30 * 86400
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": "active",
        "cancel_at_period_end": False,
        "current_period_end": end,
        "metadata": {"tier": tier},
        "items": {
            "data": [
                {
                    "id": "si_1",
                    "price": {"id": "price_x", "lookup_key": f"saltbitter_{tier}_monthly"},
                }
            ]
        },
        **changes,
    }


def _event(event_type: str, obj: dict[str, Any], created: int | None = None) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "data": {"object": obj},
    }


def _invoice(customer: str, sub_id: str, tier: str = "premium") -> dict[str, Any]:
    return {
        "id": f"in_{uuid.uuid4().hex[:8]}",
        "object": "invoice",
        "customer": customer,
        "subscription": sub_id,
        "lines": {
            "data": [
                {
                    "price": {"lookup_key": f"saltbitter_{tier}_monthly"},
                    "period": {"end": int(time.time()) + 30 * 86400},
                }
            ]
        },
    }


def _prepared(api: Api, settings: Settings) -> tuple[str, dict[str, str], str]:
    """A member with a customer (from starting a checkout) and no subscription yet."""
    me = signed_in(api)
    started = api.http.post(
        "/api/v1/subscriptions/checkout", json={"tier": "premium"}, headers=me.headers
    )
    assert started.status_code == 200, started.text
    return me.email, me.headers, _customer_of(settings, me.email)


def _me(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    return dict(api.http.get("/api/v1/subscriptions/me", headers=headers).json())


def test_plans_are_public_and_in_test_mode(api: Api) -> None:
    answer = api.http.get("/api/v1/plans")
    assert answer.status_code == 200
    body = answer.json()
    assert body["test_mode"] is True
    assert [p["tier"] for p in body["plans"]] == ["free", "premium", "elite"]
    assert body["plans"][1]["monthly_price_cents"] == 1999


def test_checkout_page_completes_the_upgrade_through_signed_webhooks(
    api: Api, backend_settings: Settings
) -> None:
    me = signed_in(api)
    started = api.http.post(
        "/api/v1/subscriptions/checkout", json={"tier": "premium"}, headers=me.headers
    )
    assert started.status_code == 200, started.text
    url = started.json()["checkout_url"]
    path = httpx.URL(url).path
    page = api.http.get(path)
    assert page.status_code == 200
    assert "TEST MODE" in page.text
    paid = api.http.post(path + "/pay", follow_redirects=False)
    assert paid.status_code == 303
    assert eventually(lambda: _me(api, me.headers)["state"] == "active")
    assert _me(api, me.headers)["tier"] == "premium"
    # The tier is read at authentication: the next request carries Premium.
    assert api.http.get("/api/v1/me", headers=me.headers).json()["tier"] == "premium"
    assert eventually(lambda: any("Premium" in m.subject for m in api.mails_to(me.email)))
    welcome = [m for m in api.mails_to(me.email) if "Welcome" in m.subject]
    time.sleep(0.5)
    assert len([m for m in api.mails_to(me.email) if "Welcome" in m.subject]) == len(welcome) == 1

    # Cancel at period end keeps the tier; resume undoes it.
    canceled = api.http.delete("/api/v1/subscriptions/me", headers=me.headers)
    assert canceled.status_code == 200
    assert canceled.json()["state"] == "canceling"
    assert canceled.json()["effective_tier"] == "premium"
    resumed = api.http.post("/api/v1/subscriptions/me/resume", headers=me.headers)
    assert resumed.status_code == 200
    assert resumed.json()["state"] == "active"
    # Upgrade now; downgrade waits for the period end.
    upgraded = api.http.patch(
        "/api/v1/subscriptions/me", json={"tier": "elite"}, headers=me.headers
    )
    assert upgraded.status_code == 200, upgraded.text
    assert upgraded.json()["tier"] == "elite"
    down = api.http.patch("/api/v1/subscriptions/me", json={"tier": "premium"}, headers=me.headers)
    assert down.status_code == 200
    assert (down.json()["tier"], down.json()["scheduled_tier"]) == ("elite", "premium")
    time.sleep(1.0)  # the stand-in's subscription.updated events arrive and change nothing
    assert _me(api, me.headers)["tier"] == "elite"
    portal = api.http.post("/api/v1/billing/portal", headers=me.headers)
    assert portal.status_code == 200
    assert "test-portal" in portal.json()["url"]


def test_bad_or_missing_signature_is_400_and_stores_nothing(
    api: Api, backend_settings: Settings
) -> None:
    _, headers, customer = _prepared(api, backend_settings)
    event = _event(
        "customer.subscription.created", _subscription(customer, f"sub_{uuid.uuid4().hex}")
    )
    assert _send(api, backend_settings, event, secret="whsec_wrong").status_code == 400
    missing = api.http.post("/webhooks/stripe", content=json.dumps(event).encode())
    assert missing.status_code == 400
    assert _me(api, headers)["state"] == "free"
    # The id was not stored: the genuine delivery is applied.
    assert _send(api, backend_settings, event).json()["outcome"] == "applied"
    assert _me(api, headers)["state"] == "active"


def test_the_same_event_five_times_applies_once(api: Api, backend_settings: Settings) -> None:
    email, headers, customer = _prepared(api, backend_settings)
    sub = f"sub_{uuid.uuid4().hex}"
    event = _event("invoice.paid", _invoice(customer, sub))
    outcomes = [_send(api, backend_settings, event).json()["outcome"] for _ in range(5)]
    assert outcomes == ["applied"] + ["duplicate"] * 4
    assert _me(api, headers)["state"] == "active"
    assert eventually(lambda: len([m for m in api.mails_to(email) if "Welcome" in m.subject]) == 1)


def test_the_same_event_five_times_concurrently_applies_once(
    api: Api, backend_settings: Settings
) -> None:
    email, headers, customer = _prepared(api, backend_settings)
    event = _event("invoice.paid", _invoice(customer, f"sub_{uuid.uuid4().hex}"))
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: _send(api, backend_settings, event), range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert sorted(a.json()["outcome"] for a in answers) == ["applied"] + ["duplicate"] * 4
    assert _me(api, headers)["state"] == "active"
    time.sleep(0.5)
    assert len([m for m in api.mails_to(email) if "Welcome" in m.subject]) == 1


def test_subscription_updated_before_created_ends_in_the_later_state(
    api: Api, backend_settings: Settings
) -> None:
    _, headers, customer = _prepared(api, backend_settings)
    sub = f"sub_{uuid.uuid4().hex}"
    now = int(time.time())
    created = _event("customer.subscription.created", _subscription(customer, sub), now - 10)
    updated = _event(
        "customer.subscription.updated",
        _subscription(customer, sub, tier="elite", cancel_at_period_end=True),
        now,
    )
    assert _send(api, backend_settings, updated).json()["outcome"] == "applied"
    assert _send(api, backend_settings, created).json()["outcome"] == "stale"
    me = _me(api, headers)
    assert (me["state"], me["tier"]) == ("canceling", "elite")
    deleted = _event(
        "customer.subscription.deleted", _subscription(customer, sub, status="canceled"), now + 5
    )
    assert _send(api, backend_settings, deleted).json()["outcome"] == "applied"
    late = _event("invoice.paid", _invoice(customer, sub), now + 1)
    assert _send(api, backend_settings, late).json()["outcome"] == "stale"
    assert _me(api, headers)["state"] == "canceled"
    assert api.http.get("/api/v1/me", headers=headers).json()["tier"] == "free"


def test_invoice_paid_before_checkout_completed(api: Api, backend_settings: Settings) -> None:
    _, headers, customer = _prepared(api, backend_settings)
    sub = f"sub_{uuid.uuid4().hex}"
    now = int(time.time())
    paid = _event("invoice.paid", _invoice(customer, sub, "elite"), now)
    completed = _event(
        "checkout.session.completed",
        {"id": "cs_x", "object": "checkout.session", "customer": customer, "subscription": sub},
        now - 1,
    )
    assert _send(api, backend_settings, paid).json()["outcome"] == "applied"
    assert _send(api, backend_settings, completed).json()["outcome"] in {
        "stale",
        "ignored",
        "applied",
    }
    me = _me(api, headers)
    assert (me["state"], me["tier"]) == ("active", "elite")


def test_payment_failure_keeps_the_tier_through_the_grace_period(
    api: Api, backend_settings: Settings
) -> None:
    email, headers, customer = _prepared(api, backend_settings)
    sub = f"sub_{uuid.uuid4().hex}"
    now = int(time.time())
    assert (
        _send(
            api, backend_settings, _event("invoice.paid", _invoice(customer, sub), now - 5)
        ).status_code
        == 200
    )
    failed = _event("invoice.payment_failed", _invoice(customer, sub), now)
    assert _send(api, backend_settings, failed).json()["outcome"] == "applied"
    me = _me(api, headers)
    assert me["state"] == "past_due"
    assert me["effective_tier"] == "premium"
    assert me["grace_deadline"] is not None
    assert eventually(lambda: any("did not go through" in m.subject for m in api.mails_to(email)))


def test_unknown_events_are_recorded_and_ignored(api: Api, backend_settings: Settings) -> None:
    event = _event("charge.dispute.created", {"id": "dp_1", "object": "dispute"})
    assert _send(api, backend_settings, event).json()["outcome"] == "ignored"
    assert _send(api, backend_settings, event).json()["outcome"] == "duplicate"


def test_payment_method_flow_with_three_d_secure_and_a_declined_card(
    api: Api, backend_settings: Settings, tmp_path: Path
) -> None:
    headers = signed_in(api).headers
    secure = api.http.post(
        "/api/v1/subscriptions",
        json={"tier": "premium", "payment_method_id": "pm_card_threeDSecureRequired"},
        headers=headers,
    )
    assert secure.status_code == 200, secure.text
    assert secure.json()["status"] == "incomplete"
    assert secure.json()["client_secret"]
    other = signed_in(api).headers
    ok = api.http.post(
        "/api/v1/subscriptions",
        json={"tier": "elite", "payment_method_id": "pm_card_visa"},
        headers=other,
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "active"
    assert _me(api, other)["tier"] == "elite"
    again = api.http.post(
        "/api/v1/subscriptions",
        json={"tier": "elite", "payment_method_id": "pm_card_visa"},
        headers=other,
    )
    assert again.status_code == 409
