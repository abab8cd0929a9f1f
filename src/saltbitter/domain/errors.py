"""One error hierarchy for every business rule, each with a stable machine ``code``.

Entrypoints map these once (HTTP: RFC 9457 problem+json; CLI: exit codes), so a broken
rule is always a clear 4xx-style answer and never an unexplained crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "AuthenticationFailed",
    "Conflict",
    "DomainRuleViolated",
    "FieldError",
    "NotFound",
    "PermissionDenied",
    "QuotaExceeded",
    "SaltbitterError",
    "Unavailable",
    "ValidationFailed",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field; ``field`` is a dotted path such as ``answers.12``."""

    field: str
    message: str
    code: str = "invalid"


class SaltbitterError(Exception):
    """Base of every error SaltBitter raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class DomainRuleViolated(SaltbitterError):
    """A business rule forbids the request as asked (HTTP 422/400 family)."""

    code = "rule_violated"


class ValidationFailed(DomainRuleViolated):
    """Input broke one or more field rules; ``errors`` says which and why."""

    code = "validation_failed"

    def __init__(
        self,
        errors: list[FieldError] | FieldError,
        message: str = "The request has invalid fields.",
    ) -> None:
        super().__init__(message)
        self.errors: tuple[FieldError, ...] = (
            (errors,) if isinstance(errors, FieldError) else tuple(errors)
        )

    @classmethod
    def single(cls, field_name: str, message: str, code: str = "invalid") -> ValidationFailed:
        return cls([FieldError(field_name, message, code)], message)

    def as_mapping(self) -> Mapping[str, str]:
        return {error.field: error.message for error in self.errors}


class NotFound(SaltbitterError):
    """The object does not exist, or the caller may not know that it does."""

    code = "not_found"


class AuthenticationFailed(SaltbitterError):
    """Credentials or tokens are missing, wrong, expired or revoked."""

    code = "authentication_failed"


class PermissionDenied(SaltbitterError):
    """The caller is known but may not do this."""

    code = "permission_denied"


class Conflict(SaltbitterError):
    """The request clashes with the current state (duplicate, already done)."""

    code = "conflict"


class QuotaExceeded(SaltbitterError):
    """A counted allowance (tier quota, attempts) is used up."""

    code = "quota_exceeded"

    def __init__(
        self, message: str, *, code: str | None = None, retry_after_seconds: int | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(SaltbitterError):
    """A dependency needed to answer is down; retrying later may work."""

    code = "unavailable"
