"""Payment gateways: Stripe through its SDK, and the embedded test-mode stand-in."""

from __future__ import annotations

from .gateway import StripeGateway, stripe_gateway
from .local import LocalPaymentGateway
from .signing import sign_payload, verify_signature

__all__ = [
    "LocalPaymentGateway",
    "StripeGateway",
    "sign_payload",
    "stripe_gateway",
    "verify_signature",
]
