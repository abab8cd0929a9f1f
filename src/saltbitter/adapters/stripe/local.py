"""The embedded payment stand-in: ``PaymentGateway`` in TEST MODE, no Stripe account.

It keeps customers, checkout sessions and subscriptions in a JSON file under the data
folder (shared by the API, the worker and the CLI on one machine), answers checkout with
a page the API serves (``/payments/test-checkout/{id}``) where the member completes or
fails the payment, and reports every change as the Stripe event Stripe would send,
signed with Stripe's scheme and POSTed to the app's own ``/webhooks/stripe``. So the
whole upgrade flow (``make run``) goes through the same webhook code as production.
No money moves, ever: every object it makes is marked ``livemode: false``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from saltbitter.adapters.stripe.gateway import (
    intent_metadata,
    intent_status,
    lookup_key,
    subscription_snapshot,
)
from saltbitter.adapters.stripe.signing import sign_payload
from saltbitter.application.ports.payments import (
    CheckoutRequest,
    GatewayPaymentIntent,
    GatewayStatus,
    GatewaySubscription,
    PaymentGateway,
    PaymentIntentRequest,
)
from saltbitter.application.ports.system import Clock
from saltbitter.domain.errors import NotFound
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import PurchaseStatus

__all__ = ["DECLINED_CARD", "THREE_D_SECURE_CARD", "LocalPaymentGateway", "http_delivery"]

PERIOD = timedelta(days=30)
DECLINED_CARD = "pm_card_chargeDeclined"
THREE_D_SECURE_CARD = "pm_card_threeDSecureRequired"
CHECKOUT_PATH = "/payments/test-checkout"
PAYMENT_PATH = "/payments/test-payment"

Deliver = Callable[[bytes, str], Awaitable[None]]


def http_delivery(webhook_url: str) -> Deliver:
    """POST a signed event to the app's own webhook endpoint."""

    async def deliver(payload: bytes, signature: str) -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            await client.post(
                webhook_url,
                content=payload,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            )

    return deliver


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(8)}"


class LocalPaymentGateway(PaymentGateway):
    def __init__(
        self,
        path: Path,
        *,
        public_base_url: str,
        webhook_secret: str,
        clock: Clock,
        deliver: Deliver,
    ) -> None:
        self._path = path
        self._base = public_base_url.rstrip("/")
        self._secret = webhook_secret
        self._clock = clock
        self._deliver = deliver
        self._lock = asyncio.Lock()
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def test_mode(self) -> bool:
        return True

    # --- state ----------------------------------------------------------------------

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self._path.exists():
            return {"customers": {}, "sessions": {}, "subscriptions": {}, "payment_intents": {}}
        loaded: dict[str, dict[str, Any]] = json.loads(self._path.read_text("utf-8"))
        return loaded

    def _store(self, state: dict[str, dict[str, Any]]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state), "utf-8")
        temporary.replace(self._path)

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    # --- events ---------------------------------------------------------------------

    def _emit(self, event_type: str, obj: dict[str, Any]) -> None:
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "type": event_type,
            "created": self._now(),
            "livemode": False,
            "data": {"object": obj},
        }
        payload = json.dumps(event).encode()
        signature = sign_payload(payload, self._secret, self._now())
        # Delivered after the caller's request finished, like Stripe's own deliveries.
        task = asyncio.get_running_loop().create_task(self._send_later(payload, signature))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send_later(self, payload: bytes, signature: str) -> None:
        await asyncio.sleep(0.05)
        try:
            await self._deliver(payload, signature)
        except httpx.HTTPError:
            return  # Stripe would retry; the nightly reconciliation repairs a lost one

    async def drain(self) -> None:
        """Wait for the events emitted so far to be delivered (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    @staticmethod
    def _price(tier: Tier) -> dict[str, Any]:
        return {"id": f"price_test_{tier.value}", "lookup_key": lookup_key(tier)}

    def _invoice(self, sub: dict[str, Any], status: str) -> dict[str, Any]:
        item = sub["items"]["data"][0]
        return {
            "id": _new_id("in"),
            "object": "invoice",
            "customer": sub["customer"],
            "subscription": sub["id"],
            "status": status,
            "created": self._now(),
            "livemode": False,
            "lines": {
                "object": "list",
                "data": [
                    {
                        "price": item["price"],
                        "period": {"start": self._now(), "end": sub["current_period_end"]},
                    }
                ],
            },
        }

    # --- PaymentGateway -------------------------------------------------------------

    async def create_customer(self, member: UserId, email: str) -> str:
        async with self._lock:
            state = self._load()
            customer = _new_id("cus")
            state["customers"][customer] = {"email": email, "member_id": str(member)}
            self._store(state)
        return customer

    async def delete_customer(self, customer_id: str) -> bool:
        """As Stripe does: the customer (email, member id) goes, their subscriptions end."""
        async with self._lock:
            state = self._load()
            if state["customers"].pop(customer_id, None) is None:
                return False
            for subscription in state["subscriptions"].values():
                if subscription["customer"] == customer_id:
                    subscription["status"] = "canceled"
            self._store(state)
        return True

    def _new_subscription(self, customer_id: str, tier: Tier, status: str) -> dict[str, Any]:
        now = self._now()
        return {
            "id": _new_id("sub"),
            "object": "subscription",
            "customer": customer_id,
            "status": status,
            "created": now,
            "livemode": False,
            "cancel_at_period_end": False,
            "current_period_start": now,
            "current_period_end": now + int(PERIOD.total_seconds()),
            "metadata": {"tier": tier.value},
            "items": {
                "object": "list",
                "data": [{"id": _new_id("si"), "price": self._price(tier)}],
            },
        }

    async def create_subscription(
        self, customer_id: str, tier: Tier, payment_method_id: str, *, idempotency_key: str
    ) -> GatewaySubscription:
        async with self._lock:
            state = self._load()
            for existing in state["subscriptions"].values():
                if existing.get("idempotency_key") == idempotency_key:
                    return subscription_snapshot(existing, {})
            declined = payment_method_id == DECLINED_CARD
            needs_action = payment_method_id == THREE_D_SECURE_CARD
            sub = self._new_subscription(
                customer_id, tier, "incomplete" if declined or needs_action else "active"
            )
            sub["idempotency_key"] = idempotency_key
            state["subscriptions"][sub["id"]] = sub
            self._store(state)
        self._emit("customer.subscription.created", sub)
        if declined:
            self._emit("invoice.payment_failed", self._invoice(sub, "open"))
        elif not needs_action:
            self._emit("invoice.paid", self._invoice(sub, "paid"))
        snapshot = subscription_snapshot(sub, {})
        if needs_action:
            secret = f"pi_test_{secrets.token_hex(8)}_secret_{secrets.token_hex(8)}"
            return GatewaySubscription(
                id=snapshot.id,
                customer_id=snapshot.customer_id,
                status=snapshot.status,
                tier=snapshot.tier,
                current_period_end=snapshot.current_period_end,
                cancel_at_period_end=False,
                client_secret=secret,
            )
        return snapshot

    async def _update(self, subscription_id: str, **changes: Any) -> dict[str, Any]:
        async with self._lock:
            state = self._load()
            sub: dict[str, Any] | None = state["subscriptions"].get(subscription_id)
            if sub is None:
                raise NotFound("No such subscription.")
            sub.update(changes)
            self._store(state)
        self._emit("customer.subscription.updated", sub)
        return sub

    async def change_tier(self, subscription_id: str, tier: Tier, *, prorate: bool) -> None:
        async with self._lock:
            sub = self._load()["subscriptions"].get(subscription_id)
        if sub is None:
            raise NotFound("No such subscription.")
        items = {
            "object": "list",
            "data": [{**sub["items"]["data"][0], "price": self._price(tier)}],
        }
        updated = await self._update(subscription_id, items=items, metadata={"tier": tier.value})
        if prorate:
            self._emit("invoice.paid", self._invoice(updated, "paid"))

    async def cancel_at_period_end(self, subscription_id: str) -> None:
        await self._update(subscription_id, cancel_at_period_end=True)

    async def resume(self, subscription_id: str) -> None:
        await self._update(subscription_id, cancel_at_period_end=False)

    async def checkout_url(self, request: CheckoutRequest) -> str:
        async with self._lock:
            state = self._load()
            session = _new_id("cs")
            state["sessions"][session] = {
                "customer": request.customer_id,
                "member_id": str(request.member),
                "tier": request.tier.value,
                "success_url": request.success_url,
                "cancel_url": request.cancel_url,
                "status": "open",
            }
            self._store(state)
        return f"{self._base}{CHECKOUT_PATH}/{session}"

    async def checkout_session(self, session_id: str) -> dict[str, Any] | None:
        async with self._lock:
            found: dict[str, Any] | None = self._load()["sessions"].get(session_id)
        return found

    async def finish_checkout(self, session_id: str, *, paid: bool) -> str:
        """The test checkout page's buttons: pay (or fail); returns where to go next."""
        async with self._lock:
            state = self._load()
            session = state["sessions"].get(session_id)
            if session is None or session["status"] != "open":
                raise NotFound("No open test checkout session.")
            tier = Tier(session["tier"])
            sub: dict[str, Any] | None = None
            if paid:
                sub = self._new_subscription(session["customer"], tier, "active")
                state["subscriptions"][sub["id"]] = sub
                session["status"] = "complete"
            else:
                session["status"] = "expired"
            self._store(state)
        obj = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "customer": session["customer"],
            "client_reference_id": session["member_id"],
            "metadata": {"member_id": session["member_id"], "tier": session["tier"]},
            "livemode": False,
            "status": session["status"],
            "payment_status": "paid" if paid else "unpaid",
            "subscription": sub["id"] if sub else None,
        }
        if sub is None:
            self._emit("checkout.session.expired", obj)
            return str(session["cancel_url"])
        self._emit("customer.subscription.created", sub)
        self._emit("invoice.paid", self._invoice(sub, "paid"))
        self._emit("checkout.session.completed", obj)
        return str(session["success_url"])

    async def billing_portal_url(self, customer_id: str, return_url: str) -> str:
        query = urlencode({"customer": customer_id, "return_url": return_url})
        return f"{self._base}/payments/test-portal?{query}"

    async def retrieve_subscription(self, subscription_id: str) -> GatewaySubscription | None:
        async with self._lock:
            sub = self._load()["subscriptions"].get(subscription_id)
        if sub is None:
            return None
        if sub["status"] == GatewayStatus.ACTIVE and sub["current_period_end"] <= self._now():
            return subscription_snapshot({**sub, "status": "past_due"}, {})
        return subscription_snapshot(sub, {})

    # --- payment intents (purchases) ------------------------------------------------

    def _intent_answer(self, intent: dict[str, Any]) -> GatewayPaymentIntent:
        status = intent_status(intent)
        waiting = status in {PurchaseStatus.PENDING, PurchaseStatus.REQUIRES_ACTION}
        return GatewayPaymentIntent(
            id=str(intent["id"]),
            status=status,
            client_secret=str(intent["client_secret"]) if waiting else None,
            test_confirm_url=self.payment_url(str(intent["id"])) if waiting else None,
        )

    def _settle(self, intent: dict[str, Any], *, paid: bool) -> None:
        """Pay or decline ``intent`` (in the caller's state) and emit the event."""
        intent["next_action"] = None
        if paid:
            intent["status"] = "succeeded"
            intent["last_payment_error"] = None
            self._emit("payment_intent.succeeded", dict(intent))
        else:
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {
                "code": "card_declined",
                "message": "Your card was declined (test mode).",
            }
            self._emit("payment_intent.payment_failed", dict(intent))

    async def create_payment_intent(self, request: PaymentIntentRequest) -> GatewayPaymentIntent:
        async with self._lock:
            state = self._load()
            intents = state.setdefault("payment_intents", {})
            for existing in intents.values():
                if existing.get("idempotency_key") == request.idempotency_key:
                    return self._intent_answer(existing)
            identifier = _new_id("pi")
            method = request.payment_method_id
            intent: dict[str, Any] = {
                "id": identifier,
                "object": "payment_intent",
                "amount": request.amount.amount_minor,
                "currency": request.amount.currency.lower(),
                "customer": request.customer_id,
                "created": self._now(),
                "livemode": False,
                "metadata": intent_metadata(request),
                "payment_method": method,
                "client_secret": f"{identifier}_secret_{secrets.token_hex(8)}",
                "status": "requires_payment_method",
                "last_payment_error": None,
                "idempotency_key": request.idempotency_key,
            }
            if method == THREE_D_SECURE_CARD:
                intent["status"] = "requires_action"
                intent["next_action"] = {"type": "use_stripe_sdk"}
            elif method is not None:
                self._settle(intent, paid=method != DECLINED_CARD)
            intents[identifier] = intent
            self._store(state)
        return self._intent_answer(intent)

    def payment_url(self, intent_id: str) -> str:
        """The stand-in's page where a waiting payment is confirmed (3-D Secure, or no
        payment method given)."""
        return f"{self._base}{PAYMENT_PATH}/{intent_id}"

    async def payment_intent(self, intent_id: str) -> dict[str, Any] | None:
        async with self._lock:
            found: dict[str, Any] | None = self._load().get("payment_intents", {}).get(intent_id)
        return found

    async def finish_payment(self, intent_id: str, *, paid: bool) -> None:
        """The test payment page's buttons: confirm (pay) or fail a waiting payment."""
        async with self._lock:
            state = self._load()
            intent = state.get("payment_intents", {}).get(intent_id)
            if intent is None or intent_status(intent) not in {
                PurchaseStatus.PENDING,
                PurchaseStatus.REQUIRES_ACTION,
            }:
                raise NotFound("No waiting test payment.")
            self._settle(intent, paid=paid)
            self._store(state)
