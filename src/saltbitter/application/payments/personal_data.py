"""Personal data of the payments capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.payments.events import (
    PaymentFailed,
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
    ),
    payloads={
        SubscriptionActivated.name: ("user_id",),
        PaymentFailed.name: ("user_id",),
        SubscriptionEnded.name: ("user_id",),
    },
)
