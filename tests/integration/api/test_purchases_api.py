"""Purchases over HTTP on a live API (SQLite, and PostgreSQL + Redis) with the embedded
test-mode stand-in: payment intents, Stripe-signed payment_intent webhooks delivered to
/webhooks/stripe (replayed, concurrent, reordered), the spending cap and its
cooling-off, monthly spending emails, and only the caller's purchases."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from saltbitter.adapters.stripe import sign_payload
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import signed_in
from support.live_api import Api, eventually

pytestmark = pytest.mark.timeout(120)


def _buy(api: Api, headers: dict[str, str], **body: Any) -> httpx.Response:
    return api.http.post(
        "/api/v1/purchases", json={"item": "coaching_session", **body}, headers=headers
    )


def _history(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = api.http.get("/api/v1/purchases", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def _cap(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    return dict(api.http.get("/api/v1/me/spending-cap", headers=headers).json())


def _intent_of(settings: Settings, purchase_id: str) -> dict[str, Any]:
    state = json.loads((settings.data_dir / "payments-test-mode.json").read_text("utf-8"))
    return next(
        intent
        for intent in state["payment_intents"].values()
        if intent["metadata"]["purchase_id"] == purchase_id
    )


def _intent_event(
    intent: dict[str, Any], event_type: str, created: int | None = None
) -> dict[str, Any]:
    status = "succeeded" if event_type.endswith("succeeded") else "requires_payment_method"
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "data": {"object": {**intent, "status": status}},
    }


def _send(api: Api, settings: Settings, event: dict[str, Any]) -> httpx.Response:
    payload = json.dumps(event).encode()
    signature = sign_payload(payload, settings.effective_stripe_webhook_secret(), int(time.time()))
    return api.http.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def _pending(api: Api, settings: Settings, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """A purchase waiting for the client to confirm it (no payment method given)."""
    answer = _buy(api, headers, **body)
    assert answer.status_code == 201, answer.text
    started = answer.json()
    assert started["status"] == "pending"
    assert started["client_secret"]
    return _intent_of(settings, started["purchase_id"])


def test_a_card_purchase_succeeds_once_and_credits_super_likes_once(api: Api) -> None:
    headers = signed_in(api).headers
    answer = _buy(api, headers, item="super_like_pack", quantity=2, payment_method_id="pm_card")
    assert answer.status_code == 201, answer.text
    started = answer.json()
    assert (started["status"], started["amount_cents"], started["currency"]) == (
        "succeeded",
        998,
        "USD",
    )
    assert started["client_secret"] is None
    assert started["test_mode"] is True
    # The stand-in's own signed payment_intent.succeeded arrives later and changes nothing.
    time.sleep(0.5)
    assert _cap(api, headers)["super_likes"] == 10
    [bought] = _history(api, headers)
    assert (bought["item"], bought["quantity"], bought["status"]) == (
        "super_like_pack",
        2,
        "succeeded",
    )


def test_three_d_secure_is_confirmed_on_the_test_page_and_arrives_by_webhook(api: Api) -> None:
    headers = signed_in(api).headers
    answer = _buy(api, headers, payment_method_id="pm_card_threeDSecureRequired")
    started = answer.json()
    assert started["status"] == "requires_action"
    assert started["client_secret"]
    url = httpx.URL(started["test_confirm_url"])
    page = api.http.get(url.path)
    assert page.status_code == 200
    assert "TEST MODE" in page.text
    assert api.http.post(f"{url.path}/pay").status_code == 200
    assert eventually(lambda: _history(api, headers)[0]["status"] == "succeeded")


def test_a_declined_card_fails(api: Api) -> None:
    headers = signed_in(api).headers
    answer = _buy(api, headers, payment_method_id="pm_card_chargeDeclined")
    assert answer.json()["status"] == "failed"
    time.sleep(0.3)
    assert _history(api, headers)[0]["status"] == "failed"


def test_a_succeeded_event_five_times_applies_once(api: Api, backend_settings: Settings) -> None:
    headers = signed_in(api).headers
    intent = _pending(api, backend_settings, headers, item="super_like_pack")
    event = _intent_event(intent, "payment_intent.succeeded")
    outcomes = [_send(api, backend_settings, event).json()["outcome"] for _ in range(5)]
    assert outcomes == ["applied"] + ["duplicate"] * 4
    assert _history(api, headers)[0]["status"] == "succeeded"
    assert _cap(api, headers)["super_likes"] == 5


def test_a_succeeded_event_five_times_concurrently_applies_once(
    api: Api, backend_settings: Settings
) -> None:
    headers = signed_in(api).headers
    intent = _pending(api, backend_settings, headers, item="super_like_pack")
    event = _intent_event(intent, "payment_intent.succeeded")
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: _send(api, backend_settings, event), range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert sorted(a.json()["outcome"] for a in answers) == ["applied"] + ["duplicate"] * 4
    assert _cap(api, headers)["super_likes"] == 5


def test_a_late_failure_never_undoes_a_success(api: Api, backend_settings: Settings) -> None:
    headers = signed_in(api).headers
    intent = _pending(api, backend_settings, headers)
    now = int(time.time())
    succeeded = _intent_event(intent, "payment_intent.succeeded", now)
    failed = _intent_event(intent, "payment_intent.payment_failed", now - 5)
    assert _send(api, backend_settings, succeeded).json()["outcome"] == "applied"
    assert _send(api, backend_settings, failed).json()["outcome"] == "stale"
    assert _history(api, headers)[0]["status"] == "succeeded"


def test_failed_then_succeeded_ends_paid(api: Api, backend_settings: Settings) -> None:
    headers = signed_in(api).headers
    intent = _pending(api, backend_settings, headers)
    now = int(time.time())
    failed = _intent_event(intent, "payment_intent.payment_failed", now)
    succeeded = _intent_event(intent, "payment_intent.succeeded", now + 1)
    assert _send(api, backend_settings, failed).json()["outcome"] == "applied"
    assert _history(api, headers)[0]["status"] == "failed"
    assert _send(api, backend_settings, succeeded).json()["outcome"] == "applied"
    assert _history(api, headers)[0]["status"] == "succeeded"


def test_the_cap_blocks_lowering_is_immediate_and_raising_waits(api: Api) -> None:
    headers = signed_in(api).headers
    assert _cap(api, headers)["monthly_cents"] is None
    lowered = api.http.put("/api/v1/me/spending-cap", json={"monthly_cents": 0}, headers=headers)
    assert lowered.status_code == 200, lowered.text
    assert (lowered.json()["monthly_cents"], lowered.json()["pending"]) == (0, None)
    refused = _buy(api, headers, item="super_like_pack", payment_method_id="pm_card")
    assert refused.status_code == 409
    assert refused.json()["code"] == "spending_cap_reached"
    raised = api.http.put(
        "/api/v1/me/spending-cap", json={"monthly_cents": 5000}, headers=headers
    ).json()
    assert raised["monthly_cents"] == 0
    assert raised["pending"]["monthly_cents"] == 5000
    assert raised["pending"]["applies_at"]
    assert _buy(api, headers, payment_method_id="pm_card").status_code == 409
    assert _history(api, headers) == []
    bad = api.http.put("/api/v1/me/spending-cap", json={"monthly_cents": -1}, headers=headers)
    assert bad.status_code == 422


def test_spending_50_dollars_sends_one_email(api: Api) -> None:
    me = signed_in(api)
    for _ in range(3):  # 29, 58 (50 reached), 87
        assert _buy(api, me.headers, payment_method_id="pm_card").json()["status"] == "succeeded"
    subject = "You have spent 50 USD on SaltBitter this month"
    assert eventually(lambda: any(m.subject == subject for m in api.mails_to(me.email)))
    time.sleep(0.5)
    assert [m.subject for m in api.mails_to(me.email)].count(subject) == 1
    assert not any("100 USD" in m.subject for m in api.mails_to(me.email))


def test_members_see_only_their_own_purchases(api: Api, backend_settings: Settings) -> None:
    mine = signed_in(api).headers
    theirs = signed_in(api).headers
    _buy(api, mine, item="event_ticket", event_id="community-7", payment_method_id="pm_card")
    intent = _pending(api, backend_settings, theirs)
    [bought] = _history(api, mine)
    assert (bought["item"], bought["event_id"]) == ("event_ticket", "community-7")
    assert [p["item"] for p in _history(api, theirs)] == ["coaching_session"]
    # An event naming their purchase under another intent id touches nothing.
    forged = _intent_event({**intent, "id": "pi_test_forged"}, "payment_intent.succeeded")
    assert _send(api, backend_settings, forged).json()["outcome"] == "ignored"
    assert _history(api, theirs)[0]["status"] == "pending"
    assert api.http.get("/api/v1/purchases").status_code == 401
    wrong = _buy(api, mine, item="coaching_session", event_id="community-7")
    assert wrong.status_code == 422
    assert _buy(api, mine, item="visibility_boost").status_code == 422
