"""Stripe webhook events read into the application's ``ProviderEvent`` (after the
signature was verified by ``signing.verify_signature``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from saltbitter.adapters.stripe.gateway import (
    intent_status,
    subscription_snapshot,
    tier_of_lookup_key,
)
from saltbitter.application.ports.payments import (
    GatewayStatus,
    GatewaySubscription,
    PaymentIntentFact,
    ProviderEvent,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import PurchaseStatus

__all__ = ["read_event"]


def _member(value: object) -> UserId | None:
    if not isinstance(value, str):
        return None
    try:
        return UserId(UUID(value))
    except ValueError:
        return None


def _id(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _invoice_snapshot(invoice: dict[str, Any], status: GatewayStatus) -> GatewaySubscription | None:
    subscription = _id(invoice.get("subscription"))
    if subscription is None:
        # API versions from 2025 move it under parent.subscription_details.
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        subscription = _id(details.get("subscription"))
    customer = _id(invoice.get("customer"))
    if subscription is None or customer is None:
        return None
    lines = (invoice.get("lines") or {}).get("data") or []
    tier: Tier | None = None
    period_end: datetime | None = None
    if lines:
        line = lines[-1]
        price = line.get("price") or line.get("plan") or {}
        tier = tier_of_lookup_key(price.get("lookup_key"))
        end = (line.get("period") or {}).get("end")
        period_end = datetime.fromtimestamp(end, UTC) if isinstance(end, int) else None
    return GatewaySubscription(
        id=subscription,
        customer_id=customer,
        status=status,
        tier=tier,
        current_period_end=period_end,
        cancel_at_period_end=False,
    )


def read_event(payload: bytes) -> ProviderEvent:
    """The event in ``payload``; ``ValidationFailed`` when it is not a Stripe event."""
    try:
        raw = msgspec.json.decode(payload)
        event_id, event_type = str(raw["id"]), str(raw["type"])
        created = datetime.fromtimestamp(int(raw["created"]), UTC)
        obj: dict[str, Any] = raw["data"]["object"]
    except (msgspec.DecodeError, KeyError, TypeError, ValueError):
        raise ValidationFailed.single("body", "Not a Stripe event.", "malformed_event") from None
    if not isinstance(obj, dict):
        raise ValidationFailed.single("body", "Not a Stripe event.", "malformed_event")
    customer = _id(obj.get("customer"))
    kind = obj.get("object")
    try:
        if kind == "subscription":
            snapshot = subscription_snapshot(obj, {})
            return ProviderEvent(
                id=event_id,
                type=event_type,
                created=created,
                customer_id=customer,
                member=_member((obj.get("metadata") or {}).get("member_id")),
                subscription_id=snapshot.id,
                subscription=snapshot,
            )
        if kind == "invoice":
            paid = event_type != "invoice.payment_failed"
            invoice = _invoice_snapshot(
                obj, GatewayStatus.ACTIVE if paid else GatewayStatus.PAST_DUE
            )
            return ProviderEvent(
                id=event_id,
                type=event_type,
                created=created,
                customer_id=customer,
                subscription_id=invoice.id if invoice else None,
                subscription=invoice,
            )
        if kind == "payment_intent":
            metadata = obj.get("metadata") or {}
            status = intent_status(obj)
            if event_type == "payment_intent.payment_failed":
                status = PurchaseStatus.FAILED
            elif event_type == "payment_intent.succeeded":
                status = PurchaseStatus.SUCCEEDED
            purchase = _member(metadata.get("purchase_id"))
            return ProviderEvent(
                id=event_id,
                type=event_type,
                created=created,
                customer_id=customer,
                member=_member(metadata.get("member_id")),
                payment_intent=PaymentIntentFact(
                    intent_id=str(obj["id"]),
                    purchase_id=purchase,
                    status=status,
                ),
            )
        if kind == "checkout.session":
            return ProviderEvent(
                id=event_id,
                type=event_type,
                created=created,
                customer_id=customer,
                member=_member(obj.get("client_reference_id")),
                subscription_id=_id(obj.get("subscription")),
            )
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed.single(
            "body", "Unreadable Stripe object.", "malformed_event"
        ) from None
    return ProviderEvent(id=event_id, type=event_type, created=created, customer_id=customer)
