"""Accounts: registration, verification, sessions and password reset."""
