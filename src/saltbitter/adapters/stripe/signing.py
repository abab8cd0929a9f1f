"""Stripe's webhook signature scheme (``Stripe-Signature: t=<unix>,v1=<hex hmac>``).

Verification is the SDK's own (``stripe.WebhookSignature.verify_header``, with its
timestamp tolerance); signing is the documented inverse, used by the local stand-in and
the tests: HMAC-SHA256 of ``"<t>.<payload>"`` under the endpoint secret.
"""

from __future__ import annotations

import hashlib
import hmac

import stripe

__all__ = ["sign_payload", "verify_signature"]


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header value for ``payload`` signed at ``timestamp``."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(payload: bytes, header: str | None, secret: str, tolerance: int) -> bool:
    """Whether Stripe's own check accepts ``header`` for ``payload`` (and its age)."""
    if not header:
        return False
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), header, secret, tolerance=tolerance
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
        return False
    return True
