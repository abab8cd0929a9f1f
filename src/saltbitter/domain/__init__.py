"""SaltBitter's domain library: pure rules, standard library only.

Import the bounded context you need; each has a small explicit ``__all__``:

- ``saltbitter.domain.attachment``: the ECR-R instrument, scoring, norms, insights,
  psychometrics (Cronbach's alpha, Feldt interval, item statistics)
- ``saltbitter.domain.compatibility``: the four components, reciprocal totals with
  reasons, hard filters, columnar populations for batch scorers
- ``saltbitter.domain.matching``: like/pass/match rules, fair daily allocation, fairness
  metrics
- ``saltbitter.domain.subscriptions``: tiers, money, entitlements, the lifecycle machine
- ``saltbitter.domain.accounts``, ``profiles``, ``notifications``: the member journey

The error hierarchy (``saltbitter.domain.errors``) and shared ids (``saltbitter.domain.
shared``) are re-exported here.
"""

from saltbitter.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainRuleViolated,
    FieldError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    SaltbitterError,
    Unavailable,
    ValidationFailed,
)
from saltbitter.domain.shared import Role, SessionId, Tier, UserId

__all__ = [
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
]
