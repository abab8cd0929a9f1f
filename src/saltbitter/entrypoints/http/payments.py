"""HTTP routes of the payments capability (issue 11): plans and the member's
subscription under /api/v1, Stripe's webhook at /webhooks/stripe, and the pages of the
embedded test-mode stand-in (checkout and billing portal) when no Stripe key is set."""

from __future__ import annotations

import html
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, MediaType, Request, Response, delete, get, patch, post, put
from litestar.params import JSONBody, Parameter, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_303_SEE_OTHER

from saltbitter.adapters.stripe import LocalPaymentGateway, verify_signature
from saltbitter.adapters.stripe.events import read_event
from saltbitter.application.payments.dto import (
    CheckoutStarted,
    PlansView,
    PortalLink,
    PurchasePage,
    PurchaseStarted,
    SpendingCapView,
    SubscriptionStarted,
    SubscriptionView,
)
from saltbitter.application.payments.purchases import (
    ListPurchases,
    SetSpendingCap,
    ShowSpendingCap,
    StartPurchase,
)
from saltbitter.application.payments.subscriptions import (
    CancelSubscription,
    ChangeTier,
    ListPlans,
    OpenBillingPortal,
    ResumeSubscription,
    ShowSubscription,
    StartCheckout,
    SubscribeWithPaymentMethod,
)
from saltbitter.application.payments.webhooks import HandleProviderEvent
from saltbitter.application.ports.payments import PaymentGateway
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import MAX_QUANTITY, PurchaseItem
from saltbitter.entrypoints.capabilities.payments import WEBHOOK_PATH
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import RequestRejected, documented_errors
from saltbitter.entrypoints.settings import Settings

__all__ = ["ROUTES", "TEST_MODE_ROUTES", "WEBHOOK_ROUTES"]

PaidTier = Annotated[str, msgspec.Meta(pattern="^(premium|elite)$")]


class TierRequest(msgspec.Struct, forbid_unknown_fields=True):
    tier: PaidTier


class SubscribeRequest(msgspec.Struct, forbid_unknown_fields=True):
    tier: PaidTier
    payment_method_id: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class PurchaseRequest(msgspec.Struct, forbid_unknown_fields=True):
    item: PurchaseItem
    quantity: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)] = 1
    # Optional: with it the payment is confirmed now; without, the client confirms it
    # with the answer's client secret.
    payment_method_id: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = None
    # For an event_ticket: the community event it is for.
    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class SpendingCapRequest(msgspec.Struct, forbid_unknown_fields=True):
    # Cents a calendar month (UTC); null removes the cap (after the cooling-off).
    # "gt=-1", not "ge=0": Litestar leaves a falsy bound out of the OpenAPI document.
    monthly_cents: Annotated[int, msgspec.Meta(gt=-1, le=10_000_000)] | None


class WebhookReceived(msgspec.Struct, frozen=True):
    received: bool
    outcome: str


class PlansController(Controller):
    path = "/plans"
    tags = ["payments"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get("/", summary="Tiers, monthly prices and entitlements (public)")
    async def list_plans(self, list_plans: FromDishka[ListPlans]) -> PlansView:
        return await list_plans()


class SubscriptionsController(Controller):
    path = "/subscriptions"
    tags = ["payments"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/checkout",
        status_code=HTTP_200_OK,
        summary="Start a hosted checkout for a paid tier; answers the page to send the member to",
        security=BEARER,
        responses=documented_errors(401, 403, 409, 422, LIMITED, 503),
    )
    async def checkout(
        self,
        data: JSONBody[TierRequest],
        principal: FromDishka[Principal],
        start: FromDishka[StartCheckout],
    ) -> CheckoutStarted:
        return await start(principal, Tier(data.tier))

    @post(
        "/",
        status_code=HTTP_200_OK,
        summary="Subscribe with a payment method collected by the client (3-D Secure: "
        "the answer carries the client secret to confirm)",
        security=BEARER,
        responses=documented_errors(401, 403, 409, 422, LIMITED, 503),
    )
    async def subscribe(
        self,
        data: JSONBody[SubscribeRequest],
        principal: FromDishka[Principal],
        subscribe: FromDishka[SubscribeWithPaymentMethod],
    ) -> SubscriptionStarted:
        return await subscribe(principal, Tier(data.tier), data.payment_method_id)

    @get(
        "/me",
        summary="The caller's subscription",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def show(
        self, principal: FromDishka[Principal], show: FromDishka[ShowSubscription]
    ) -> SubscriptionView:
        return await show(principal)

    @patch(
        "/me",
        summary="Change tier: an upgrade applies now (prorated), a downgrade at period end",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED, 503),
    )
    async def change(
        self,
        data: JSONBody[TierRequest],
        principal: FromDishka[Principal],
        change: FromDishka[ChangeTier],
    ) -> SubscriptionView:
        return await change(principal, Tier(data.tier))

    @delete(
        "/me",
        status_code=HTTP_200_OK,
        summary="Cancel at the end of the paid period",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED, 503),
    )
    async def cancel(
        self, principal: FromDishka[Principal], cancel: FromDishka[CancelSubscription]
    ) -> SubscriptionView:
        return await cancel(principal)

    @post(
        "/me/resume",
        status_code=HTTP_200_OK,
        summary="Undo a cancellation before the period ends",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED, 503),
    )
    async def resume(
        self, principal: FromDishka[Principal], resume: FromDishka[ResumeSubscription]
    ) -> SubscriptionView:
        return await resume(principal)


class BillingController(Controller):
    path = "/billing"
    tags = ["payments"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/portal",
        status_code=HTTP_200_OK,
        summary="A billing-portal session for the caller (payment methods, invoices)",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED, 503),
    )
    async def portal(
        self, principal: FromDishka[Principal], open_portal: FromDishka[OpenBillingPortal]
    ) -> PortalLink:
        return await open_portal(principal)


class PurchasesController(Controller):
    path = "/purchases"
    tags = ["payments"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Buy an event ticket, a coaching session or super likes (a payment "
        "intent); 409 spending_cap_reached when it would pass the monthly cap",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED, 503),
    )
    async def start_purchase(
        self,
        data: JSONBody[PurchaseRequest],
        principal: FromDishka[Principal],
        start: FromDishka[StartPurchase],
    ) -> PurchaseStarted:
        return await start(
            principal,
            data.item,
            data.quantity,
            payment_method_id=data.payment_method_id,
            event_id=data.event_id,
        )

    @get(
        "/",
        summary="The caller's purchases, newest first, 20 per page",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def list_purchases(
        self,
        principal: FromDishka[Principal],
        list_purchases: FromDishka[ListPurchases],
        cursor: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                pattern="^[A-Za-z0-9_-]+$",
                description="next_cursor of a page",
            ),
        ] = None,
    ) -> PurchasePage:
        return await list_purchases(principal, cursor)


class SpendingCapController(Controller):
    path = "/me/spending-cap"
    tags = ["payments"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="The caller's monthly spending cap, a pending raise, and this month's spending",
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
    )
    async def show_spending_cap(
        self, principal: FromDishka[Principal], show: FromDishka[ShowSpendingCap]
    ) -> SpendingCapView:
        return await show(principal)

    @put(
        "/",
        summary="Set the monthly cap (null: none); lowering applies at once, raising or "
        "removing after 24 hours",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def set_spending_cap(
        self,
        data: JSONBody[SpendingCapRequest],
        principal: FromDishka[Principal],
        set_cap: FromDishka[SetSpendingCap],
    ) -> SpendingCapView:
        return await set_cap(principal, data.monthly_cents)


class StripeWebhookController(Controller):
    """Stripe's endpoint, not part of the member API: left out of the OpenAPI document
    (no generated client can sign a request; docs/payments.md describes it)."""

    path = WEBHOOK_PATH
    include_in_schema = False

    @post(
        "/",
        status_code=HTTP_200_OK,
        summary="Stripe's events, signed (Stripe-Signature); each event id applied once",
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        settings: FromDishka[Settings],
        handle: FromDishka[HandleProviderEvent],
    ) -> WebhookReceived:
        payload = await request.body()
        accepted = verify_signature(
            payload,
            request.headers.get("stripe-signature"),
            settings.effective_stripe_webhook_secret(),
            settings.stripe_webhook_tolerance_seconds,
        )
        if not accepted:
            raise RequestRejected(400, "bad_signature", "The Stripe signature does not verify.")
        outcome = await handle(read_event(payload))
        return WebhookReceived(received=True, outcome=outcome.value)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>SaltBitter test checkout</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">
<p style="background:#fde68a;padding:.5rem 1rem"><strong>TEST MODE</strong>: no card is charged,
no money moves. This page stands in for Stripe Checkout.</p>
<h1>SaltBitter {tier}</h1><p>{price} a month.</p>
<form method="post" action="{base}/pay"><button>Pay (test)</button></form>
<form method="post" action="{base}/fail"><button>Fail the payment (test)</button></form>
</body></html>"""


def _local(gateway: PaymentGateway) -> LocalPaymentGateway:
    if not isinstance(gateway, LocalPaymentGateway):
        raise RequestRejected(404, "not_found", "Only the test-mode stand-in serves this page.")
    return gateway


class TestCheckoutController(Controller):
    """The embedded stand-in's checkout page (TEST MODE; mounted only without a key)."""

    path = "/payments/test-checkout/{session_id:str}"
    include_in_schema = False

    @get("/", media_type=MediaType.HTML)
    async def page(
        self,
        session_id: Annotated[str, Parameter(max_length=80)],
        gateway: FromDishka[PaymentGateway],
        plans: FromDishka[ListPlans],
    ) -> str:
        session = await _local(gateway).checkout_session(session_id)
        if session is None or session["status"] != "open":
            raise RequestRejected(404, "not_found", "No open test checkout session.")
        view = await plans()
        plan = next(p for p in view.plans if p.tier == session["tier"])
        price = f"{plan.monthly_price_cents / 100:.2f} {plan.currency}"
        return _PAGE.format(
            tier=html.escape(plan.tier.title()),
            price=html.escape(price),
            base=html.escape(f"/payments/test-checkout/{session_id}"),
        )

    @post("/pay", status_code=HTTP_303_SEE_OTHER)
    async def pay(
        self,
        session_id: Annotated[str, Parameter(max_length=80)],
        gateway: FromDishka[PaymentGateway],
    ) -> Redirect:
        return Redirect(
            await _local(gateway).finish_checkout(session_id, paid=True),
            status_code=HTTP_303_SEE_OTHER,
        )

    @post("/fail", status_code=HTTP_303_SEE_OTHER)
    async def fail(
        self,
        session_id: Annotated[str, Parameter(max_length=80)],
        gateway: FromDishka[PaymentGateway],
    ) -> Redirect:
        return Redirect(
            await _local(gateway).finish_checkout(session_id, paid=False),
            status_code=HTTP_303_SEE_OTHER,
        )


class TestPortalController(Controller):
    path = "/payments/test-portal"
    include_in_schema = False

    @get("/", media_type=MediaType.HTML)
    async def portal(self, gateway: FromDishka[PaymentGateway]) -> Response[str]:
        _local(gateway)
        body = (
            "<!doctype html><title>SaltBitter test billing portal</title>"
            "<p><strong>TEST MODE</strong>: the billing portal stands in for Stripe's. "
            "Change or cancel your plan with the API (PATCH or DELETE "
            "/api/v1/subscriptions/me).</p>"
        )
        return Response(body, media_type=MediaType.HTML)


_PAYMENT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>SaltBitter test payment</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">
<p style="background:#fde68a;padding:.5rem 1rem"><strong>TEST MODE</strong>: no card is charged,
no money moves. This page stands in for the card confirmation (3-D Secure).</p>
<h1>{item} &times; {quantity}</h1><p>{price}</p>
<form method="post" action="{base}/pay"><button>Pay (test)</button></form>
<form method="post" action="{base}/fail"><button>Fail the payment (test)</button></form>
</body></html>"""


class TestPaymentController(Controller):
    """The embedded stand-in's page confirming a waiting purchase payment (TEST MODE)."""

    path = "/payments/test-payment/{intent_id:str}"
    include_in_schema = False

    @get("/", media_type=MediaType.HTML)
    async def payment_page(
        self,
        intent_id: Annotated[str, Parameter(max_length=80)],
        gateway: FromDishka[PaymentGateway],
    ) -> str:
        intent = await _local(gateway).payment_intent(intent_id)
        if intent is None:
            raise RequestRejected(404, "not_found", "No test payment.")
        metadata = intent.get("metadata") or {}
        price = f"{int(intent['amount']) / 100:.2f} {str(intent['currency']).upper()}"
        return _PAYMENT_PAGE.format(
            item=html.escape(str(metadata.get("item", "purchase"))),
            quantity=html.escape(str(metadata.get("quantity", "1"))),
            price=html.escape(price),
            base=html.escape(f"/payments/test-payment/{intent_id}"),
        )

    @post("/pay", status_code=HTTP_200_OK, media_type=MediaType.HTML)
    async def pay_payment(
        self,
        intent_id: Annotated[str, Parameter(max_length=80)],
        gateway: FromDishka[PaymentGateway],
    ) -> str:
        await _local(gateway).finish_payment(intent_id, paid=True)
        return "<!doctype html><title>Paid</title><p>TEST MODE: paid.</p>"

    @post("/fail", status_code=HTTP_200_OK, media_type=MediaType.HTML)
    async def fail_payment(
        self,
        intent_id: Annotated[str, Parameter(max_length=80)],
        gateway: FromDishka[PaymentGateway],
    ) -> str:
        await _local(gateway).finish_payment(intent_id, paid=False)
        return "<!doctype html><title>Failed</title><p>TEST MODE: the payment failed.</p>"


ROUTES: list[type[Controller]] = [
    PlansController,
    SubscriptionsController,
    BillingController,
    PurchasesController,
    SpendingCapController,
]
WEBHOOK_ROUTES: list[type[Controller]] = [StripeWebhookController]
TEST_MODE_ROUTES: list[type[Controller]] = [
    TestCheckoutController,
    TestPortalController,
    TestPaymentController,
]
