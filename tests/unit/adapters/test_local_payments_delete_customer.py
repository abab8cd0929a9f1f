"""The local payment stand-in deletes a customer as Stripe does (docs/privacy.md): their
email and member id go, their subscriptions end, and deleting twice is harmless."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

from saltbitter.adapters.stripe.local import LocalPaymentGateway
from saltbitter.domain.shared import Tier, UserId
from saltbitter.testing.fakes import InMemoryClock


async def _nowhere(_body: bytes, _signature: str) -> None:
    return None


async def test_deleting_a_customer_forgets_them_and_ends_their_subscriptions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "payments.json"
    gateway = LocalPaymentGateway(
        path,
        public_base_url="http://127.0.0.1:8000",
        webhook_secret="whsec_test",
        clock=InMemoryClock(),
        deliver=_nowhere,
    )
    member = UserId(uuid4())
    customer = await gateway.create_customer(member, "leaving@example.org")
    created = await gateway.create_subscription(
        customer, Tier.PREMIUM, "pm_card_visa", idempotency_key="k-1"
    )

    assert await gateway.delete_customer(customer) is True
    stored = path.read_text("utf-8")
    assert "leaving@example.org" not in stored
    assert str(member) not in stored
    assert json.loads(stored)["subscriptions"][created.id]["status"] == "canceled"
    assert await gateway.delete_customer(customer) is False
