"""Operator choices read by more than one capability (settings feed them)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AccountsPolicy"]


@dataclass(frozen=True, slots=True)
class AccountsPolicy:
    """Operator choices for sign-up and the consent documents in force.

    Accounts records the terms and privacy versions at sign-up; assessments records the
    same versions with each special-category consent, so both read this one value.
    """

    terms_version: str = "2026-01"
    privacy_version: str = "2026-01"
    allowed_email_domains: frozenset[str] = frozenset()  # empty: everyone may register
