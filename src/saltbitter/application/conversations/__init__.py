"""Conversations between matched members (issue 10): messages, receipts, real time."""
