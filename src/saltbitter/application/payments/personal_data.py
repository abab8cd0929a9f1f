"""Personal data of the payments capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.payments.events import (
    PaymentFailed,
    PurchaseSucceeded,
    SpendingThresholdReached,
    SubscriptionActivated,
    SubscriptionEnded,
)
from saltbitter.application.ports.privacy import Erasure, PersonalData, PersonalTable

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="payments",
    tables=(
        PersonalTable(
            "payment_subscriptions",
            ("user_id",),
            Erasure.ANONYMISE,
            "Payment records are kept for bookkeeping (the provider's customer and "
            "subscription ids, states and dates); erasure clears the member reference.",
        ),
        PersonalTable(
            "purchases",
            ("user_id",),
            Erasure.ANONYMISE,
            "One-off purchases are payment records kept for bookkeeping (item, amount, "
            "status, the provider's payment id); erasure clears the member reference.",
        ),
        PersonalTable(
            "purchase_accounts",
            ("user_id",),
            Erasure.DELETE,
            "The member's own spending cap, the spending notices already sent this "
            "month and the super-like balance: not a payment record, so it goes.",
        ),
    ),
    payloads={
        SubscriptionActivated.name: ("user_id",),
        PaymentFailed.name: ("user_id",),
        SubscriptionEnded.name: ("user_id",),
        PurchaseSucceeded.name: ("user_id",),
        SpendingThresholdReached.name: ("user_id",),
    },
)
