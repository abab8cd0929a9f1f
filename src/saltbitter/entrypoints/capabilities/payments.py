"""Wiring of the payments capability: the payment gateway (Stripe, or the embedded
test-mode stand-in when no key is set), its SQL ports, use cases, payment emails and the
nightly reconciliation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.sqlalchemy.payments import (
    SqlaMemberContacts,
    SqlaMemberTiers,
    SqlaPurchaseAccounts,
    SqlaPurchaseStore,
    SqlaSubscriptionStore,
    SqlaWebhookLedger,
)
from saltbitter.adapters.stripe import LocalPaymentGateway, stripe_gateway
from saltbitter.adapters.stripe.local import http_delivery
from saltbitter.application.payments import topics
from saltbitter.application.payments.events import (
    PaymentFailed,
    PurchaseSucceeded,
    ReconcileParameters,
    SpendingThresholdReached,
    SubscriptionActivated,
    SubscriptionEnded,
)
from saltbitter.application.payments.mail import PaymentEvent, SendPaymentEmail
from saltbitter.application.payments.personal_data import PERSONAL_DATA as PAYMENTS_PERSONAL_DATA
from saltbitter.application.payments.policy import PaymentsPolicy
from saltbitter.application.payments.purchases import (
    ListPurchases,
    SetSpendingCap,
    ShowSpendingCap,
    StartPurchase,
)
from saltbitter.application.payments.reconcile import ReconcileSubscriptions
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
from saltbitter.application.ports.payments import (
    MemberContacts,
    MemberTiers,
    PaymentGateway,
    PurchaseAccounts,
    PurchaseStore,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.application.ports.system import Clock
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "WEBHOOK_PATH", "PaymentsProvider", "payment_gateway"]

WEBHOOK_PATH = "/webhooks/stripe"


async def payment_gateway(settings: Settings, clock: Clock) -> AsyncIterator[PaymentGateway]:
    """Stripe when a key is set; otherwise the embedded stand-in (test mode)."""
    if settings.stripe_api_key:
        gateway = stripe_gateway(
            settings.stripe_api_key,
            api_base=settings.stripe_api_base,
            timeout_seconds=settings.stripe_timeout_seconds,
            max_network_retries=settings.stripe_max_network_retries,
            test_mode=settings.stripe_api_key.startswith("sk_test_"),
        )
        yield gateway
        await gateway.aclose()
        return
    local = LocalPaymentGateway(
        settings.data_dir / "payments-test-mode.json",
        public_base_url=settings.public_base_url,
        webhook_secret=settings.effective_stripe_webhook_secret(),
        clock=clock,
        deliver=http_delivery(settings.public_base_url.rstrip("/") + WEBHOOK_PATH),
    )
    yield local
    await local.drain()


class PaymentsProvider(Provider):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def policy(self) -> PaymentsPolicy:
        return PaymentsPolicy(
            public_base_url=self._settings.public_base_url,
            grace=timedelta(days=self._settings.payments_grace_days),
        )

    @provide(scope=Scope.APP)
    async def gateway(self, clock: Clock) -> AsyncIterator[PaymentGateway]:
        async for gateway in payment_gateway(self._settings, clock):
            yield gateway

    subscriptions = provide(SqlaSubscriptionStore, provides=SubscriptionStore, scope=Scope.REQUEST)
    ledger = provide(SqlaWebhookLedger, provides=WebhookLedger, scope=Scope.REQUEST)
    tiers = provide(SqlaMemberTiers, provides=MemberTiers, scope=Scope.REQUEST)
    contacts = provide(SqlaMemberContacts, provides=MemberContacts, scope=Scope.REQUEST)
    purchases = provide(SqlaPurchaseStore, provides=PurchaseStore, scope=Scope.REQUEST)
    accounts = provide(SqlaPurchaseAccounts, provides=PurchaseAccounts, scope=Scope.REQUEST)

    use_cases = provide_all(
        ListPlans,
        StartCheckout,
        SubscribeWithPaymentMethod,
        ChangeTier,
        CancelSubscription,
        ResumeSubscription,
        ShowSubscription,
        OpenBillingPortal,
        HandleProviderEvent,
        ReconcileSubscriptions,
        SendPaymentEmail,
        StartPurchase,
        ListPurchases,
        ShowSpendingCap,
        SetSpendingCap,
        scope=Scope.REQUEST,
    )


async def _send_payment_email(scope: AsyncContainer, event: PaymentEvent) -> object:
    return await (await scope.get(SendPaymentEmail))(event)


async def _reconcile(scope: AsyncContainer, parameters: ReconcileParameters | None) -> object:
    dry_run = parameters.dry_run if parameters is not None else False
    drifts = await (await scope.get(ReconcileSubscriptions))(dry_run=dry_run)
    return [drift.describe() for drift in drifts]


def _nightly() -> Any:
    """04:10 UTC every night (after the assessments norms job)."""
    try:
        from celery.schedules import crontab
    except ImportError:  # an API-only install never runs Beat
        return 86_400.0
    return crontab(minute="10", hour="4")


CAPABILITY = Capability(
    name="payments",
    personal_data=PAYMENTS_PERSONAL_DATA,
    providers=lambda settings: [PaymentsProvider(settings)],
    events=(
        SubscriptionActivated,
        PaymentFailed,
        SubscriptionEnded,
        PurchaseSucceeded,
        SpendingThresholdReached,
    ),
    handlers={
        SpendingThresholdReached: (topics.SEND_PAYMENT_EMAIL,),
        SubscriptionActivated: (topics.SEND_PAYMENT_EMAIL,),
        PaymentFailed: (topics.SEND_PAYMENT_EMAIL,),
        SubscriptionEnded: (topics.SEND_PAYMENT_EMAIL,),
    },
    jobs={
        topics.SEND_PAYMENT_EMAIL: Job(_send_payment_email),
        topics.RECONCILE: Job(_reconcile, ReconcileParameters),
    },
    beat_schedule={
        "payments-reconcile-nightly": {"task": topics.RECONCILE, "schedule": _nightly()}
    },
)
