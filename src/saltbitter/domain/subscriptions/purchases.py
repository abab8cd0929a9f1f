"""One-off purchases and the member's spending safeguards (docs/payments.md, "Purchases").

Prices are fixed per item: never personalised by engagement, attachment results or
demographics, never stacked discounts, and nothing here buys visibility (a super like
only tells the other person you were keen). Amounts are USD minor units (cents).

The rules, each with a law the property tests check:

- ``PurchaseStatus.merge``: statuses only move up ``pending < requires_action < failed <
  succeeded``, so the final status is the same whatever order the reports arrive in, and
  a late "failed" never undoes "succeeded".
- ``SpendingCap``: lowering (or setting) a cap applies at once; raising or removing it
  waits ``COOLING_OFF`` (24 hours); a pending raise is replaced by any later request.
- ``would_pass_cap``: a purchase is refused when spent + amount exceeds the cap (a cap of
  0 refuses everything).
- ``SpendingNotices.after``: each threshold (50 and 100 USD) is announced at most once a
  calendar month (UTC), as soon as the month's spending reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from saltbitter.domain.errors import DomainRuleViolated

from .money import Money

__all__ = [
    "COOLING_OFF",
    "CURRENCY",
    "DEFAULT_ITEM_CATALOG",
    "MAX_QUANTITY",
    "SPENDING_THRESHOLDS_CENTS",
    "ItemCatalog",
    "ItemPrice",
    "PurchaseItem",
    "PurchaseStatus",
    "SpendingCap",
    "SpendingNotices",
    "month_of",
    "month_start",
    "would_pass_cap",
]

CURRENCY = "USD"
MAX_QUANTITY = 10
COOLING_OFF = timedelta(hours=24)
SPENDING_THRESHOLDS_CENTS = (5_000, 10_000)


class PurchaseItem(StrEnum):
    EVENT_TICKET = "event_ticket"
    COACHING_SESSION = "coaching_session"
    SUPER_LIKE_PACK = "super_like_pack"


@dataclass(frozen=True, slots=True)
class ItemPrice:
    item: PurchaseItem
    unit_price: Money
    super_likes: int = 0  # super likes one unit credits

    def __post_init__(self) -> None:
        if self.unit_price.amount_minor <= 0 or self.unit_price.currency != CURRENCY:
            raise DomainRuleViolated("An item costs a positive amount of USD.")
        if self.super_likes < 0:
            raise DomainRuleViolated("super_likes cannot be negative.")


@dataclass(frozen=True, slots=True)
class ItemCatalog:
    """One fixed price per item, the same for every member."""

    prices: tuple[ItemPrice, ...]

    def __post_init__(self) -> None:
        if sorted(p.item for p in self.prices) != sorted(PurchaseItem):
            raise DomainRuleViolated("An item catalog prices every item exactly once.")

    def price(self, item: PurchaseItem) -> ItemPrice:
        return next(p for p in self.prices if p.item is item)

    def total(self, item: PurchaseItem, quantity: int) -> Money:
        if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:
            raise DomainRuleViolated(
                f"Buy between 1 and {MAX_QUANTITY} at a time.", code="invalid_quantity"
            )
        return self.price(item).unit_price * quantity

    def super_likes(self, item: PurchaseItem, quantity: int) -> int:
        return self.price(item).super_likes * quantity


DEFAULT_ITEM_CATALOG = ItemCatalog(
    prices=(
        ItemPrice(PurchaseItem.EVENT_TICKET, Money(1_500, CURRENCY)),
        ItemPrice(PurchaseItem.COACHING_SESSION, Money(2_900, CURRENCY)),
        ItemPrice(PurchaseItem.SUPER_LIKE_PACK, Money(499, CURRENCY), super_likes=5),
    )
)
"""Our judgment calls: a ticket 15.00, a coaching session 29.00, five super likes 4.99."""


class PurchaseStatus(StrEnum):
    PENDING = "pending"  # created; the payment is not confirmed yet
    REQUIRES_ACTION = "requires_action"  # 3-D Secure: the member must confirm
    FAILED = "failed"
    SUCCEEDED = "succeeded"

    @property
    def rank(self) -> int:
        return _STATUS_ORDER.index(self)

    def merge(self, reported: PurchaseStatus) -> PurchaseStatus:
        """The status after ``reported`` arrived: the higher of the two, so reports
        commute and ``succeeded`` is final."""
        return self if self.rank >= reported.rank else reported

    @property
    def counts_toward_cap(self) -> bool:
        """Pending and confirmed payments are reserved against the cap; failed are not."""
        return self is not PurchaseStatus.FAILED


_STATUS_ORDER = (
    PurchaseStatus.PENDING,
    PurchaseStatus.REQUIRES_ACTION,
    PurchaseStatus.FAILED,
    PurchaseStatus.SUCCEEDED,
)


def month_of(at: datetime) -> str:
    """The calendar month (UTC) as ``YYYY-MM``."""
    return at.astimezone(UTC).strftime("%Y-%m")


def month_start(at: datetime) -> datetime:
    moment = at.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def would_pass_cap(spent_cents: int, amount_cents: int, cap_cents: int | None) -> bool:
    """Whether buying ``amount_cents`` after ``spent_cents`` this month passes the cap."""
    return cap_cents is not None and spent_cents + amount_cents > cap_cents


def _stricter(first: int | None, second: int | None) -> bool:
    """Whether ``first`` allows less than ``second`` (None: no cap)."""
    if first is None:
        return False
    return second is None or first < second


@dataclass(frozen=True, slots=True)
class SpendingCap:
    """The member's monthly cap in cents (None: no cap), and a raise or removal waiting
    for its cooling-off period (``pending_since`` set; ``pending_cents`` None removes)."""

    cap_cents: int | None = None
    pending_cents: int | None = None
    pending_applies_at: datetime | None = None

    def __post_init__(self) -> None:
        for value in (self.cap_cents, self.pending_cents):
            if value is not None and (type(value) is not int or value < 0):
                raise DomainRuleViolated("A cap is a whole, non-negative number of cents.")
        if self.pending_applies_at is None and self.pending_cents is not None:
            raise DomainRuleViolated("A pending cap needs the time it applies.")

    @property
    def has_pending(self) -> bool:
        return self.pending_applies_at is not None

    def settled(self, now: datetime) -> SpendingCap:
        """The cap with a pending change applied once its time has come."""
        if self.pending_applies_at is not None and now >= self.pending_applies_at:
            return SpendingCap(cap_cents=self.pending_cents)
        return self

    def effective(self, now: datetime) -> int | None:
        return self.settled(now).cap_cents

    def request(self, cents: int | None, now: datetime) -> SpendingCap:
        """The cap after the member asked for ``cents`` (None: no cap) at ``now``."""
        current = self.settled(now)
        if cents is not None and (type(cents) is not int or cents < 0):
            raise DomainRuleViolated(
                "A cap is a whole, non-negative number of cents.", code="invalid_cap"
            )
        if cents == current.cap_cents:
            return SpendingCap(cap_cents=current.cap_cents)  # also drops a pending raise
        if _stricter(cents, current.cap_cents):
            return SpendingCap(cap_cents=cents)
        return replace(current, pending_cents=cents, pending_applies_at=now + COOLING_OFF)


@dataclass(frozen=True, slots=True)
class SpendingNotices:
    """The thresholds already announced in ``month`` (``YYYY-MM``)."""

    month: str | None = None
    notified_cents: int = 0  # the highest threshold announced in ``month``

    def after(self, month: str, spent_cents: int) -> tuple[SpendingNotices, tuple[int, ...]]:
        """The thresholds to announce now that ``month``'s spending is ``spent_cents``,
        and the state that remembers them."""
        if self.month is not None and month < self.month:
            return self, ()  # a late payment of a past month: that month is over
        already = self.notified_cents if self.month == month else 0
        due = tuple(t for t in SPENDING_THRESHOLDS_CENTS if already < t <= spent_cents)
        if not due:
            return (self if self.month == month else SpendingNotices(month, already)), ()
        return SpendingNotices(month, due[-1]), due
