"""Payments' ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.payments import (
    MemberContacts,
    MemberTiers,
    PurchaseAccounts,
    PurchaseStore,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.testing.fakes_payments import (
    InMemoryMemberContacts,
    InMemoryMemberTiers,
    InMemoryPurchaseAccounts,
    InMemoryPurchaseStore,
    InMemorySubscriptionStore,
    InMemoryWebhookLedger,
)

__all__ = ["PaymentsFakes"]


class PaymentsFakes(Provider):
    scope = Scope.REQUEST

    subscriptions = provide(InMemorySubscriptionStore, provides=SubscriptionStore, override=True)
    ledger = provide(InMemoryWebhookLedger, provides=WebhookLedger, override=True)
    tiers = provide(InMemoryMemberTiers, provides=MemberTiers, override=True)
    contacts = provide(InMemoryMemberContacts, provides=MemberContacts, override=True)
    purchases = provide(InMemoryPurchaseStore, provides=PurchaseStore, override=True)
    accounts = provide(InMemoryPurchaseAccounts, provides=PurchaseAccounts, override=True)
