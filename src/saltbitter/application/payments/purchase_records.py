"""How a reported payment outcome becomes a purchase's stored status (shared by the
purchase use case and the webhook handler)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from saltbitter.application.payments.events import PurchaseSucceeded, SpendingThresholdReached
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.payments import (
    PurchaseAccount,
    PurchaseAccounts,
    PurchaseRecord,
    PurchaseStore,
)
from saltbitter.domain.subscriptions import ItemCatalog, PurchaseStatus, month_of, month_start

__all__ = ["RESERVED", "SUCCEEDED", "apply_purchase_status", "month_bounds"]

# Statuses whose amounts count toward the cap (a failed payment spends nothing).
RESERVED = frozenset(status for status in PurchaseStatus if status.counts_toward_cap)
SUCCEEDED = frozenset({PurchaseStatus.SUCCEEDED})


def month_bounds(at: datetime) -> tuple[datetime, datetime]:
    start = month_start(at)
    following = start.replace(year=start.year + 1, month=1) if start.month == 12 else None
    return start, following or start.replace(month=start.month + 1)


async def apply_purchase_status(
    purchase: PurchaseRecord,
    reported: PurchaseStatus,
    intent_id: str | None,
    *,
    account: PurchaseAccount,
    now: datetime,
    purchases: PurchaseStore,
    accounts: PurchaseAccounts,
    outbox: Outbox,
    catalog: ItemCatalog,
) -> bool:
    """Apply a reported status (inside the caller's transaction, ``account`` locked);
    False when it changed nothing (a repeat, or older than what is stored)."""
    status = purchase.status.merge(reported)
    new_intent = purchase.intent_id is None and intent_id is not None
    if status is purchase.status and not new_intent:
        return False
    after = replace(
        purchase, status=status, intent_id=purchase.intent_id or intent_id, updated_at=now
    )
    await purchases.save(after)
    if status is PurchaseStatus.SUCCEEDED and purchase.status is not PurchaseStatus.SUCCEEDED:
        month = month_of(purchase.created_at)
        spent = await purchases.total_cents(
            purchase.member, *month_bounds(purchase.created_at), SUCCEEDED
        )
        notices, due = account.notices.after(month, spent)
        credit = catalog.super_likes(purchase.item, purchase.quantity)
        await accounts.save(
            replace(
                account, notices=notices, super_likes=account.super_likes + credit, updated_at=now
            )
        )
        outbox.add(
            PurchaseSucceeded(
                user_id=purchase.member,
                purchase_id=purchase.id,
                item=purchase.item.value,
                quantity=purchase.quantity,
                amount_cents=purchase.amount_cents,
                event_id=purchase.event_id,
            )
        )
        for threshold in due:
            outbox.add(
                SpendingThresholdReached(
                    user_id=purchase.member, threshold_cents=threshold, month=month
                )
            )
    return status is not purchase.status
