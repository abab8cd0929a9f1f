"""Job names of the payments capability (stored in queues: never rename them)."""

from __future__ import annotations

__all__ = ["RECONCILE", "SEND_PAYMENT_EMAIL"]

SEND_PAYMENT_EMAIL = "payments.send_payment_email"
RECONCILE = "payments.reconcile"
