"""Money as integer minor units plus an ISO 4217 currency: no floats, no mixed currencies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from saltbitter.domain.errors import DomainRuleViolated

__all__ = ["Money"]

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# ISO 4217 currencies whose minor unit is not a hundredth; every other one has 2 decimals.
_MINOR_UNIT_DIGITS = {
    "BHD": 3,
    "CLP": 0,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
    "UGX": 0,
    "VND": 0,
}


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (cents for USD). Negative amounts are credits."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass and float would bring rounding: both are refused.
        if type(self.amount_minor) is not int:
            raise DomainRuleViolated(
                "Money amounts are whole minor units (an int).", code="invalid_money"
            )
        if not _CURRENCY_CODE.fullmatch(self.currency):
            raise DomainRuleViolated(
                "A currency is a 3-letter upper-case ISO 4217 code.", code="invalid_money"
            )

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def minor_unit_digits(self) -> int:
        return _MINOR_UNIT_DIGITS.get(self.currency, 2)

    def is_zero(self) -> bool:
        return self.amount_minor == 0

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise DomainRuleViolated(
                f"Cannot combine {self.currency} with {other.currency}.",
                code="currency_mismatch",
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if type(factor) is not int:
            raise DomainRuleViolated(
                "Money can only be multiplied by a whole number.", code="invalid_money"
            )
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor >= other.amount_minor

    def __str__(self) -> str:
        """``19.99 USD``: exact decimal text, computed with integers only."""
        digits = self.minor_unit_digits
        sign = "-" if self.amount_minor < 0 else ""
        whole, fraction = divmod(abs(self.amount_minor), 10**digits)
        if digits == 0:
            return f"{sign}{whole} {self.currency}"
        return f"{sign}{whole}.{fraction:0{digits}d} {self.currency}"
