"""One-off purchases through the provider's payment intents, and the member's spending
safeguards (issue 11, docs/payments.md "Purchases").

A purchase is recorded (``pending``) and checked against the member's monthly cap in one
transaction that holds the member's ``purchase_accounts`` row locked, so two purchases
racing against the cap are decided one after the other and never pass it together.
The provider is called outside any transaction; its answer, and later its webhook
events, move the purchase's status only upwards (``PurchaseStatus.merge``) under the
same lock. The first move to ``succeeded`` credits super likes, announces
``PurchaseSucceeded`` and any spending threshold reached that month.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from saltbitter.application.payments.dto import (
    PendingCapView,
    PurchasePage,
    PurchaseStarted,
    PurchaseView,
    SpendingCapView,
)
from saltbitter.application.payments.policy import PaymentsPolicy
from saltbitter.application.payments.purchase_records import (
    RESERVED,
    SUCCEEDED,
    apply_purchase_status,
    month_bounds,
)
from saltbitter.application.payments.subscriptions import Customers
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.payments import (
    MemberContacts,
    PaymentGateway,
    PaymentIntentRequest,
    PurchaseAccount,
    PurchaseAccounts,
    PurchaseRecord,
    PurchaseStore,
    SubscriptionStore,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, Unavailable, ValidationFailed
from saltbitter.domain.shared import UserId
from saltbitter.domain.subscriptions import (
    PurchaseItem,
    PurchaseStatus,
    SpendingCap,
    SpendingNotices,
    month_of,
    would_pass_cap,
)

__all__ = [
    "RESERVED",
    "ListPurchases",
    "SetSpendingCap",
    "ShowSpendingCap",
    "StartPurchase",
    "apply_purchase_status",
    "month_bounds",
]


def _new_account(member: UserId, now: datetime) -> PurchaseAccount:
    return PurchaseAccount(
        member=member, cap=SpendingCap(), notices=SpendingNotices(), super_likes=0, updated_at=now
    )


def _view(record: PurchaseRecord) -> PurchaseView:
    return PurchaseView(
        id=record.id,
        item=record.item.value,
        quantity=record.quantity,
        amount_cents=record.amount_cents,
        currency=record.currency,
        status=record.status.value,
        event_id=record.event_id,
        created_at=record.created_at,
    )


@dataclass(frozen=True, slots=True)
class StartPurchase:
    """Buy ``quantity`` of ``item``; with a payment method the intent is confirmed now
    (the answer carries the client secret when 3-D Secure must confirm), without one the
    client confirms it with the client secret. ``event_id`` names the community event
    an ``event_ticket`` is for (the events capability reads it back)."""

    transaction: Transaction
    purchases: PurchaseStore
    accounts: PurchaseAccounts
    subscriptions: SubscriptionStore
    contacts: MemberContacts
    gateway: PaymentGateway
    outbox: Outbox
    clock: Clock
    ids: IdGenerator
    policy: PaymentsPolicy

    async def __call__(
        self,
        principal: Principal,
        item: PurchaseItem,
        quantity: int,
        *,
        payment_method_id: str | None = None,
        event_id: str | None = None,
    ) -> PurchaseStarted:
        if event_id is not None and item is not PurchaseItem.EVENT_TICKET:
            raise ValidationFailed.single(
                "event_id", "Only an event ticket names an event.", "not_an_event_ticket"
            )
        amount = self.policy.items.total(item, quantity)
        member = principal.user_id
        customers = Customers(
            self.transaction, self.subscriptions, self.contacts, self.gateway, self.clock
        )
        customer = await customers.ensure(principal)
        now = self.clock.now()
        purchase = PurchaseRecord(
            id=self.ids.new_id(),
            member=member,
            item=item,
            quantity=quantity,
            amount_cents=amount.amount_minor,
            currency=amount.currency,
            status=PurchaseStatus.PENDING,
            intent_id=None,
            event_id=event_id,
            created_at=now,
            updated_at=now,
        )
        async with self.transaction:
            account = await self.accounts.lock(member, now)
            spent = await self.purchases.total_cents(member, *month_bounds(now), RESERVED)
            if would_pass_cap(spent, amount.amount_minor, account.cap.effective(now)):
                raise Conflict(
                    "This purchase would pass your monthly spending cap.",
                    code="spending_cap_reached",
                )
            await self.purchases.add(purchase)
            await self.transaction.commit()
        try:
            intent = await self.gateway.create_payment_intent(
                PaymentIntentRequest(
                    customer_id=customer.customer_id,
                    amount=amount,
                    purchase_id=purchase.id,
                    member=member,
                    item=item,
                    quantity=quantity,
                    event_id=event_id,
                    payment_method_id=payment_method_id,
                    idempotency_key=f"purchase-{purchase.id}",
                )
            )
        except (Unavailable, ValidationFailed):
            # Nothing was charged: the purchase fails and stops counting toward the cap.
            await self._record(purchase.id, PurchaseStatus.FAILED, None)
            raise
        status = await self._record(purchase.id, intent.status, intent.id)
        waiting = status in {PurchaseStatus.PENDING, PurchaseStatus.REQUIRES_ACTION}
        return PurchaseStarted(
            purchase_id=purchase.id,
            status=status.value,
            amount_cents=purchase.amount_cents,
            currency=purchase.currency,
            client_secret=intent.client_secret if waiting else None,
            test_mode=self.gateway.test_mode,
            test_confirm_url=intent.test_confirm_url if waiting else None,
        )

    async def _record(
        self, purchase_id: UUID, reported: PurchaseStatus, intent_id: str | None
    ) -> PurchaseStatus:
        now = self.clock.now()
        async with self.transaction:
            found = await self.purchases.get(purchase_id)
            if found is None:  # erased meanwhile
                return reported
            account = await self.accounts.lock(found.member, now)
            current = await self.purchases.get(purchase_id) or found
            await apply_purchase_status(
                current,
                reported,
                intent_id,
                account=account,
                now=now,
                purchases=self.purchases,
                accounts=self.accounts,
                outbox=self.outbox,
                catalog=self.policy.items,
            )
            await self.transaction.commit()
        return current.status.merge(reported)


def encode_cursor(record: PurchaseRecord) -> str:
    raw = f"{record.created_at.isoformat()}|{record.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, identifier = raw.partition("|")
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError(moment)
        return at, UUID(identifier)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed.single(
            "cursor", "Not a cursor of this list.", "bad_cursor"
        ) from None


@dataclass(frozen=True, slots=True)
class ListPurchases:
    """The caller's purchases, newest first, ``PAGE_SIZE`` per page (only the caller's)."""

    PAGE_SIZE: ClassVar[int] = 20

    purchases: PurchaseStore

    async def __call__(self, principal: Principal, cursor: str | None = None) -> PurchasePage:
        before = decode_cursor(cursor) if cursor else None
        rows = await self.purchases.page(principal.user_id, before, self.PAGE_SIZE + 1)
        shown = rows[: self.PAGE_SIZE]
        more = len(rows) > self.PAGE_SIZE
        return PurchasePage(
            items=[_view(record) for record in shown],
            next_cursor=encode_cursor(shown[-1]) if more else None,
        )


async def _cap_view(
    account: PurchaseAccount, purchases: PurchaseStore, now: datetime
) -> SpendingCapView:
    cap = account.cap.settled(now)
    bounds = month_bounds(now)
    spent = await purchases.total_cents(account.member, *bounds, SUCCEEDED)
    reserved = await purchases.total_cents(account.member, *bounds, RESERVED)
    pending = (
        PendingCapView(monthly_cents=cap.pending_cents, applies_at=cap.pending_applies_at)
        if cap.pending_applies_at is not None
        else None
    )
    return SpendingCapView(
        monthly_cents=cap.cap_cents,
        pending=pending,
        month=month_of(now),
        spent_this_month_cents=spent,
        remaining_cents=None if cap.cap_cents is None else max(0, cap.cap_cents - reserved),
        super_likes=account.super_likes,
    )


@dataclass(frozen=True, slots=True)
class ShowSpendingCap:
    accounts: PurchaseAccounts
    purchases: PurchaseStore
    clock: Clock

    async def __call__(self, principal: Principal) -> SpendingCapView:
        now = self.clock.now()
        account = await self.accounts.get(principal.user_id)
        return await _cap_view(account or _new_account(principal.user_id, now), self.purchases, now)


@dataclass(frozen=True, slots=True)
class SetSpendingCap:
    """Lowering (or setting) the cap applies at once; raising or removing it applies
    after the cooling-off period (24 hours), shown meanwhile as ``pending``."""

    transaction: Transaction
    accounts: PurchaseAccounts
    purchases: PurchaseStore
    clock: Clock

    async def __call__(self, principal: Principal, monthly_cents: int | None) -> SpendingCapView:
        now = self.clock.now()
        async with self.transaction:
            account = await self.accounts.lock(principal.user_id, now)
            changed = replace(account, cap=account.cap.request(monthly_cents, now), updated_at=now)
            await self.accounts.save(changed)
            await self.transaction.commit()
        return await _cap_view(changed, self.purchases, now)
