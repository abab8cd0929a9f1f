"""Email addresses as a value object: validated once, case-folded, compared by value."""

from __future__ import annotations

import re
from dataclasses import dataclass

from saltbitter.domain.errors import ValidationFailed

__all__ = ["EmailAddress"]

# RFC 5321 limits; the local part is restricted to the dot-atom form that real mail
# providers accept (quoted local parts are legal but only ever seen in abuse).
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_LENGTH = 254
_MAX_LOCAL_LENGTH = 64


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """A syntactically valid, case-folded email address (docs/product-rules.md 2)."""

    value: str

    def __post_init__(self) -> None:
        if self.value != self.value.strip().casefold():
            raise ValueError("EmailAddress must be built through EmailAddress.parse")

    @classmethod
    def parse(cls, raw: str, field: str = "email") -> EmailAddress:
        candidate = raw.strip().casefold()
        problem = _problem_with(candidate)
        if problem is not None:
            raise ValidationFailed.single(field, problem, "invalid_email")
        return cls(candidate)

    @property
    def domain(self) -> str:
        return self.value.rpartition("@")[2]

    def __str__(self) -> str:
        return self.value


def _problem_with(candidate: str) -> str | None:
    if len(candidate) > _MAX_LENGTH:
        return "The email address is too long."
    local, at, domain = candidate.rpartition("@")
    if not at or not local or not domain:
        return "The email address needs one @ between a name and a domain."
    if len(local) > _MAX_LOCAL_LENGTH or not _LOCAL_PART.match(local):
        return "The part before @ is not a valid mailbox name."
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "The domain is not a valid host name."
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return "The domain is not a valid host name."
    if labels[-1].isdigit():
        return "The domain is not a valid host name."
    return None
