"""The domain's public surface: explicit, importable, and standard-library only."""

from __future__ import annotations

import importlib

import pytest

import saltbitter.domain
import saltbitter.testing.strategies

CONTEXTS = (
    "accounts",
    "attachment",
    "compatibility",
    "matching",
    "notifications",
    "profiles",
    "subscriptions",
)


def test_top_level_exports_the_errors_and_ids() -> None:
    assert set(saltbitter.domain.__all__) == {
        "AuthenticationFailed",
        "Conflict",
        "DomainRuleViolated",
        "FieldError",
        "NotFound",
        "PermissionDenied",
        "QuotaExceeded",
        "Role",
        "SaltbitterError",
        "SessionId",
        "Tier",
        "Unavailable",
        "UserId",
        "ValidationFailed",
    }


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_context_declares_resolvable_sorted_exports(context: str) -> None:
    module = importlib.import_module(f"saltbitter.domain.{context}")
    exported = module.__all__
    assert exported, context
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert getattr(module, name) is not None, f"{context}.{name}"


def test_strategies_are_re_exported() -> None:
    for name in saltbitter.testing.strategies.__all__:
        assert callable(getattr(saltbitter.testing.strategies, name)), name
