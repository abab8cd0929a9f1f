"""The Stripe adapter of ``PaymentGateway``, through the official SDK's ``StripeClient``
(async methods over HTTPX, with the SDK's retries and a per-request timeout).

Prices are found by lookup key (``saltbitter_<tier>_monthly``) and referenced as plans in
subscription items: Stripe accepts a price id wherever a plan id is expected, and
Stripe-compatible test servers (localstripe) know plans only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

import stripe

from saltbitter.application.ports.payments import (
    CheckoutRequest,
    GatewayPaymentIntent,
    GatewayStatus,
    GatewaySubscription,
    PaymentGateway,
    PaymentIntentRequest,
)
from saltbitter.domain.errors import Unavailable, ValidationFailed
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import PurchaseStatus

__all__ = [
    "StripeGateway",
    "intent_status",
    "lookup_key",
    "stripe_gateway",
    "tier_of_lookup_key",
]


def lookup_key(tier: Tier) -> str:
    return f"saltbitter_{tier.value}_monthly"


def tier_of_lookup_key(key: str | None) -> Tier | None:
    for tier in (Tier.PREMIUM, Tier.ELITE):
        if key == lookup_key(tier):
            return tier
    return None


class _HttpxClient(stripe.HTTPXClient):
    """The SDK's HTTPX client, sending the encoded form as ``content``: the SDK passes
    the bytes as ``data``, which current httpx deprecates (a warning on every call)."""

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> Any:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        data = kwargs.pop("data", None)
        if data:
            kwargs["content"] = data
        return args, kwargs


def stripe_gateway(
    api_key: str,
    *,
    api_base: str | None,
    timeout_seconds: float,
    max_network_retries: int,
    test_mode: bool,
) -> StripeGateway:
    """The gateway over a client whose calls time out and are retried by the SDK (writes
    carry idempotency keys, so a retry never charges twice)."""
    http = _HttpxClient(timeout=timeout_seconds)
    client = stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base.rstrip("/")} if api_base else {},
        max_network_retries=max_network_retries,
        http_client=http,
    )
    return StripeGateway(client, test_mode=test_mode, http=http)


def _moment(value: object) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int) else None


def subscription_snapshot(data: Any, tiers_by_price: dict[str, Tier]) -> GatewaySubscription:
    """A gateway subscription from a Stripe subscription object (as a dict)."""
    tier: Tier | None = None
    metadata = data.get("metadata") or {}
    if metadata.get("tier") in {Tier.PREMIUM.value, Tier.ELITE.value}:
        tier = Tier(metadata["tier"])
    items = (data.get("items") or {}).get("data") or []
    period_end = data.get("current_period_end")
    if items:
        first = items[0]
        price = first.get("price") or first.get("plan") or {}
        tier = (
            tiers_by_price.get(str(price.get("id")))
            or tier_of_lookup_key(price.get("lookup_key"))
            or tier
        )
        period_end = period_end or first.get("current_period_end")
    client_secret = None
    invoice = data.get("latest_invoice")
    if isinstance(invoice, dict) or hasattr(invoice, "get"):
        intent = invoice.get("payment_intent") if invoice else None
        if (
            intent is not None
            and hasattr(intent, "get")
            and intent.get("status")
            in {
                "requires_action",
                "requires_confirmation",
            }
        ):
            client_secret = intent.get("client_secret")
    customer = data.get("customer")
    return GatewaySubscription(
        id=str(data["id"]),
        customer_id=str(customer if isinstance(customer, str) else customer["id"]),
        status=GatewayStatus(str(data["status"])),
        tier=tier,
        current_period_end=_moment(period_end),
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        client_secret=client_secret,
    )


def intent_status(data: Any) -> PurchaseStatus:
    """A purchase's status from a Stripe PaymentIntent (as a dict): a failed attempt
    leaves the intent at ``requires_payment_method`` with a ``last_payment_error``."""
    status = data.get("status")
    if status == "succeeded":
        return PurchaseStatus.SUCCEEDED
    if status == "requires_action":
        return PurchaseStatus.REQUIRES_ACTION
    if status == "canceled" or (
        status == "requires_payment_method" and data.get("last_payment_error")
    ):
        return PurchaseStatus.FAILED
    return PurchaseStatus.PENDING


def intent_metadata(request: PaymentIntentRequest) -> dict[str, str]:
    """What the intent carries back in its events (ids only, no personal data)."""
    metadata = {
        "purchase_id": str(request.purchase_id),
        "member_id": str(request.member),
        "item": request.item.value,
        "quantity": str(request.quantity),
    }
    if request.event_id is not None:
        metadata["event_id"] = request.event_id
    return metadata


class StripeGateway(PaymentGateway):
    def __init__(
        self,
        client: stripe.StripeClient,
        *,
        test_mode: bool,
        http: stripe.HTTPXClient | None = None,
    ) -> None:
        self._client = client
        self._test_mode = test_mode
        self._http = http
        self._prices: dict[Tier, str] = {}

    async def aclose(self) -> None:
        if self._http is not None:
            close: Callable[[], Awaitable[None]] = self._http.close_async  # untyped in the SDK
            await close()

    @property
    def test_mode(self) -> bool:
        return self._test_mode

    async def _price(self, tier: Tier) -> str:
        if tier not in self._prices:
            found = await self._call(
                self._client.v1.prices.list_async({"lookup_keys": [lookup_key(tier)], "limit": 1})
            )
            if not found.data:
                raise Unavailable(f"No Stripe price with lookup key {lookup_key(tier)}.")
            self._prices[tier] = found.data[0].id
        return self._prices[tier]

    async def _tiers_by_price(self) -> dict[str, Tier]:
        for tier in (Tier.PREMIUM, Tier.ELITE):
            await self._price(tier)
        return {price: tier for tier, price in self._prices.items()}

    @staticmethod
    async def _call(awaitable: Any) -> Any:
        try:
            return await awaitable
        except stripe.APIConnectionError as error:
            raise Unavailable("The payment provider cannot be reached.") from error
        except stripe.RateLimitError as error:
            raise Unavailable("The payment provider is busy.") from error

    async def create_customer(self, member: UserId, email: str) -> str:
        customer = await self._call(
            self._client.v1.customers.create_async(
                {"email": email, "metadata": {"member_id": str(member)}},
                {"idempotency_key": f"customer-{member}"},
            )
        )
        return str(customer.id)

    async def delete_customer(self, customer_id: str) -> bool:
        try:
            await self._call(self._client.v1.customers.delete_async(customer_id))
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return False
            raise
        return True

    async def create_subscription(
        self, customer_id: str, tier: Tier, payment_method_id: str, *, idempotency_key: str
    ) -> GatewaySubscription:
        await self._call(
            self._client.v1.payment_methods.attach_async(
                payment_method_id, {"customer": customer_id}
            )
        )
        # The customer's default method pays this and later invoices (portal updates
        # of the method then apply to renewals too).
        await self._call(
            self._client.v1.customers.update_async(
                customer_id, {"invoice_settings": {"default_payment_method": payment_method_id}}
            )
        )
        created = await self._call(
            self._client.v1.subscriptions.create_async(
                {
                    "customer": customer_id,
                    "items": [{"plan": await self._price(tier)}],
                    "payment_behavior": "allow_incomplete",
                    "metadata": {"tier": tier.value},
                    "expand": ["latest_invoice.payment_intent"],
                },
                {"idempotency_key": idempotency_key},
            )
        )
        return subscription_snapshot(created.to_dict(), await self._tiers_by_price())

    async def change_tier(self, subscription_id: str, tier: Tier, *, prorate: bool) -> None:
        current = await self._call(self._client.v1.subscriptions.retrieve_async(subscription_id))
        item_id = current.to_dict()["items"]["data"][0]["id"]
        await self._call(
            self._client.v1.subscriptions.update_async(
                subscription_id,
                {
                    "items": [{"id": item_id, "plan": await self._price(tier)}],
                    "proration_behavior": "always_invoice" if prorate else "none",
                    "metadata": {"tier": tier.value},
                },
            )
        )

    async def cancel_at_period_end(self, subscription_id: str) -> None:
        await self._call(
            self._client.v1.subscriptions.update_async(
                subscription_id, {"cancel_at_period_end": True}
            )
        )

    async def resume(self, subscription_id: str) -> None:
        await self._call(
            self._client.v1.subscriptions.update_async(
                subscription_id, {"cancel_at_period_end": False}
            )
        )

    async def checkout_url(self, request: CheckoutRequest) -> str:
        session = await self._call(
            self._client.v1.checkout.sessions.create_async(
                {
                    "mode": "subscription",
                    "customer": request.customer_id,
                    "client_reference_id": str(request.member),
                    "line_items": [{"price": await self._price(request.tier), "quantity": 1}],
                    "success_url": request.success_url,
                    "cancel_url": request.cancel_url,
                    "metadata": {"member_id": str(request.member), "tier": request.tier.value},
                    "subscription_data": {"metadata": {"tier": request.tier.value}},
                }
            )
        )
        return str(session.url)

    async def billing_portal_url(self, customer_id: str, return_url: str) -> str:
        session = await self._call(
            self._client.v1.billing_portal.sessions.create_async(
                {"customer": customer_id, "return_url": return_url}
            )
        )
        return str(session.url)

    async def retrieve_subscription(self, subscription_id: str) -> GatewaySubscription | None:
        try:
            found = await self._call(self._client.v1.subscriptions.retrieve_async(subscription_id))
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise
        return subscription_snapshot(found.to_dict(), await self._tiers_by_price())

    async def create_payment_intent(self, request: PaymentIntentRequest) -> GatewayPaymentIntent:
        params: dict[str, Any] = {
            "amount": request.amount.amount_minor,
            "currency": request.amount.currency.lower(),
            "customer": request.customer_id,
            "metadata": intent_metadata(request),
            "payment_method_types": ["card"],
        }
        if request.payment_method_id is not None:
            params["payment_method"] = request.payment_method_id
            params["confirm"] = True
        try:
            intent = await self._call(
                self._client.v1.payment_intents.create_async(
                    cast(Any, params), {"idempotency_key": request.idempotency_key}
                )
            )
        except stripe.CardError as error:
            # Declined: Stripe's error names the intent it left unpaid, when it made one.
            body: Any = error.json_body or {}
            found = (body.get("error") or {}).get("payment_intent") or {}
            return GatewayPaymentIntent(id=found.get("id"), status=PurchaseStatus.FAILED)
        except stripe.InvalidRequestError as error:
            # An unknown or unusable payment method (the rest of the request is ours).
            raise ValidationFailed.single(
                "payment_method_id",
                "The payment could not be made with this payment method.",
                "invalid_payment_method",
            ) from error
        data = intent.to_dict()
        status = intent_status(data)
        waiting = status in {PurchaseStatus.PENDING, PurchaseStatus.REQUIRES_ACTION}
        return GatewayPaymentIntent(
            id=str(data["id"]),
            status=status,
            client_secret=data.get("client_secret") if waiting else None,
        )
