"""Payments: subscriptions through a payment provider (Stripe, or the test-mode stand-in)."""
