"""The Stripe adapter through the real SDK against localstripe, started by the test.

localstripe (1.15) covers customers, legacy plans, payment methods, subscriptions and
cancel-at-period-end. It answers 404 for Prices, Checkout sessions and the billing
portal and 500 for a plan change, so a small local endpoint mounted in front of it
answers those in Stripe's documented shapes and forwards everything else: every call
the adapter makes goes through the SDK over HTTP.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiohttp import web

from saltbitter.adapters.stripe import StripeGateway, stripe_gateway
from saltbitter.adapters.stripe.gateway import lookup_key
from saltbitter.application.ports.payments import (
    CheckoutRequest,
    GatewayStatus,
    PaymentIntentRequest,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import Money, PurchaseItem, PurchaseStatus

pytestmark = pytest.mark.timeout(120)

KEY = "sk_test_saltbitter"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def localstripe() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/v1/customers", auth=(KEY, ""), timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


def _form(body: Any) -> dict[str, str]:
    return dict(body)


async def _front(upstream: str, seen: dict[str, Any]) -> web.Application:
    """Answers what localstripe does not, forwards the rest; ``seen["calls"]`` collects
    the forms it answered itself."""
    client = httpx.AsyncClient(base_url=upstream, timeout=10)
    seen["calls"] = []
    seen["client"] = client

    async def prices(request: web.Request) -> web.Response:
        keys = request.query.getall("lookup_keys[0]", []) + request.query.getall(
            "lookup_keys[]", []
        )
        data = [
            {"id": f"plan_{key}", "object": "price", "lookup_key": key, "active": True}
            for key in keys
        ]
        return web.json_response(
            {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}
        )

    async def checkout(request: web.Request) -> web.Response:
        form = _form(await request.post())
        seen["calls"].append(form)
        return web.json_response(
            {
                "id": "cs_test_1",
                "object": "checkout.session",
                "mode": form.get("mode"),
                "customer": form.get("customer"),
                "client_reference_id": form.get("client_reference_id"),
                "url": "https://checkout.stripe.test/c/pay/cs_test_1",
            }
        )

    async def portal(request: web.Request) -> web.Response:
        form = _form(await request.post())
        seen["calls"].append(form)
        return web.json_response(
            {
                "id": "bps_1",
                "object": "billing_portal.session",
                "customer": form.get("customer"),
                "return_url": form.get("return_url"),
                "url": "https://billing.stripe.test/p/session/bps_1",
            }
        )

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        form = _form(await request.post()) if request.method == "POST" else {}
        path = request.match_info["tail"]
        if (
            request.method == "POST"
            and path.startswith("subscriptions/")
            and any(key.startswith("items[") for key in form)
        ):
            # A plan change with proration: answer the subscription with the new plan.
            seen["calls"].append(form)
            current = await client.get(
                f"/v1/{path}", headers={"Authorization": request.headers["Authorization"]}
            )
            answer = current.json()
            plan = form["items[0][plan]"]
            answer["items"]["data"][0]["plan"] = {"id": plan, "object": "plan"}
            answer["metadata"] = {"tier": form.get("metadata[tier]", "")}
            return web.json_response(answer)
        upstream_answer = await client.request(
            request.method,
            f"/v1/{path}",
            params=list(request.query.items()),
            content=body,
            headers={
                k: v
                for k, v in request.headers.items()
                if k.lower() in {"authorization", "content-type", "idempotency-key"}
            },
        )
        return web.Response(
            body=upstream_answer.content,
            status=upstream_answer.status_code,
            content_type="application/json",
        )

    app = web.Application()
    app.router.add_get("/v1/prices", prices)
    app.router.add_post("/v1/checkout/sessions", checkout)
    app.router.add_post("/v1/billing_portal/sessions", portal)
    app.router.add_route("*", "/v1/{tail:.*}", forward)
    return app


@pytest.fixture
async def api_base(localstripe: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    seen: dict[str, Any] = {}
    app = await _front(localstripe, seen)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    # The plans the prices stand for, in localstripe.
    async with httpx.AsyncClient(base_url=localstripe, auth=(KEY, "")) as http:
        for tier, amount in ((Tier.PREMIUM, 1999), (Tier.ELITE, 4999)):
            await http.post(
                "/v1/plans",
                data={
                    "id": f"plan_{lookup_key(tier)}",
                    "amount": str(amount),
                    "currency": "usd",
                    "interval": "month",
                    "product[name]": f"SaltBitter {tier.value}",
                },
            )
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()
    await seen["client"].aclose()


def _gateway(api_base: str) -> StripeGateway:
    return stripe_gateway(
        KEY, api_base=api_base, timeout_seconds=10, max_network_retries=1, test_mode=True
    )


async def _payment_method(api_base: str) -> str:
    async with httpx.AsyncClient(base_url=api_base, auth=(KEY, "")) as http:
        answer = await http.post(
            "/v1/payment_methods",
            data={
                "type": "card",
                "card[number]": "4242424242424242",
                "card[exp_month]": "12",
                "card[exp_year]": "2030",
                "card[cvc]": "123",
            },
        )
        answer.raise_for_status()
        return str(answer.json()["id"])


async def test_customer_subscription_cancel_resume_and_retrieve(
    api_base: tuple[str, dict[str, Any]],
) -> None:
    base, _ = api_base
    gateway = _gateway(base)
    member = UserId(uuid4())
    customer = await gateway.create_customer(member, "ada@example.org")
    assert customer.startswith("cus_")
    created = await gateway.create_subscription(
        customer, Tier.PREMIUM, await _payment_method(base), idempotency_key=f"k-{member}"
    )
    assert created.customer_id == customer
    assert created.status is GatewayStatus.ACTIVE
    assert created.tier is Tier.PREMIUM
    assert created.current_period_end is not None
    await gateway.cancel_at_period_end(created.id)
    canceling = await gateway.retrieve_subscription(created.id)
    assert canceling is not None
    assert canceling.cancel_at_period_end
    await gateway.resume(created.id)
    resumed = await gateway.retrieve_subscription(created.id)
    assert resumed is not None
    assert not resumed.cancel_at_period_end
    assert await gateway.retrieve_subscription("sub_unknown") is None
    await gateway.aclose()


async def test_the_erasure_deletes_the_customer_once(
    api_base: tuple[str, dict[str, Any]],
) -> None:
    base, _ = api_base
    gateway = _gateway(base)
    customer = await gateway.create_customer(UserId(uuid4()), "leaving@example.org")
    assert await gateway.delete_customer(customer) is True
    async with httpx.AsyncClient(base_url=base, auth=(KEY, "")) as http:
        gone = await http.get(f"/v1/customers/{customer}")
    assert gone.status_code == 404 or gone.json().get("deleted") is True
    # Deleting again (a retried erasure) is harmless.
    assert await gateway.delete_customer(customer) is False
    await gateway.aclose()


async def test_plan_change_checkout_and_portal_through_the_local_endpoint(
    api_base: tuple[str, dict[str, Any]],
) -> None:
    base, seen = api_base
    gateway = _gateway(base)
    member = UserId(uuid4())
    customer = await gateway.create_customer(member, "bo@example.org")
    created = await gateway.create_subscription(
        customer, Tier.PREMIUM, await _payment_method(base), idempotency_key=f"k-{member}"
    )
    await gateway.change_tier(created.id, Tier.ELITE, prorate=True)
    change = seen["calls"][-1]
    assert change["items[0][plan]"] == f"plan_{lookup_key(Tier.ELITE)}"
    assert change["proration_behavior"] == "always_invoice"
    await gateway.change_tier(created.id, Tier.PREMIUM, prorate=False)
    assert seen["calls"][-1]["proration_behavior"] == "none"
    url = await gateway.checkout_url(
        CheckoutRequest(customer, member, Tier.ELITE, "https://x/ok", "https://x/no")
    )
    assert url.startswith("https://checkout.stripe.test/")
    checkout = seen["calls"][-1]
    assert checkout["mode"] == "subscription"
    assert checkout["client_reference_id"] == str(member)
    assert checkout["line_items[0][price]"] == f"plan_{lookup_key(Tier.ELITE)}"
    portal = await gateway.billing_portal_url(customer, "https://x/back")
    assert portal.startswith("https://billing.stripe.test/")
    assert seen["calls"][-1]["return_url"] == "https://x/back"
    await gateway.aclose()


async def test_an_unreachable_provider_is_unavailable() -> None:
    from saltbitter.domain.errors import Unavailable

    gateway = _gateway(f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(Unavailable):
        await gateway.create_customer(UserId(uuid4()), "cy@example.org")
    await gateway.aclose()


async def _card(api_base: str, number: str) -> str:
    async with httpx.AsyncClient(base_url=api_base, auth=(KEY, "")) as http:
        answer = await http.post(
            "/v1/payment_methods",
            data={
                "type": "card",
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2030",
                "card[cvc]": "123",
            },
        )
        answer.raise_for_status()
        return str(answer.json()["id"])


def _intent_request(customer: str, method: str | None) -> PaymentIntentRequest:
    return PaymentIntentRequest(
        customer_id=customer,
        amount=Money(998, "USD"),
        purchase_id=uuid4(),
        member=UserId(uuid4()),
        item=PurchaseItem.SUPER_LIKE_PACK,
        quantity=2,
        event_id=None,
        payment_method_id=method,
        idempotency_key=f"purchase-{uuid4()}",
    )


async def test_payment_intents_succeed_need_3ds_fail_or_wait_for_the_client(
    api_base: tuple[str, dict[str, Any]],
) -> None:
    base, _ = api_base
    gateway = _gateway(base)
    customer = await gateway.create_customer(UserId(uuid4()), "di@example.org")

    request = _intent_request(customer, await _card(base, "4242424242424242"))
    paid = await gateway.create_payment_intent(request)
    assert paid.status is PurchaseStatus.SUCCEEDED
    assert paid.id is not None
    assert paid.client_secret is None
    async with httpx.AsyncClient(base_url=base, auth=(KEY, "")) as http:
        stored = (await http.get(f"/v1/payment_intents/{paid.id}")).json()
    assert (stored["amount"], stored["currency"], stored["customer"]) == (998, "usd", customer)
    assert stored["metadata"] == {
        "purchase_id": str(request.purchase_id),
        "member_id": str(request.member),
        "item": "super_like_pack",
        "quantity": "2",
    }

    secure = await gateway.create_payment_intent(
        _intent_request(customer, await _card(base, "4000000000003220"))
    )
    assert secure.status is PurchaseStatus.REQUIRES_ACTION
    assert secure.client_secret is not None
    assert secure.client_secret.startswith(f"{secure.id}_secret_")

    declined = await gateway.create_payment_intent(
        _intent_request(customer, await _card(base, "4000000000000341"))
    )
    assert declined.status is PurchaseStatus.FAILED
    assert declined.client_secret is None

    waiting = await gateway.create_payment_intent(_intent_request(customer, None))
    assert waiting.status is PurchaseStatus.PENDING
    assert waiting.client_secret is not None

    with pytest.raises(ValidationFailed):
        await gateway.create_payment_intent(_intent_request(customer, "pm_unknown"))
    await gateway.aclose()
