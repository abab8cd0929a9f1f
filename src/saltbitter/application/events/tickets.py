"""Tickets bought through the payments capability: its ``PurchaseSucceeded`` for an
``event_ticket`` grants the buyer a ticket for the named event."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.payments.events import PurchaseSucceeded
from saltbitter.application.ports.community_events import EventMembers, EventStore, EventTickets
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.subscriptions import PurchaseItem

__all__ = ["GrantPurchasedTicket", "ticket_event_of"]

log = logging.getLogger(__name__)


def ticket_event_of(purchase: PurchaseSucceeded) -> UUID | None:
    """The community event a paid purchase is a ticket for; None for other items, and
    for an ``event_id`` that names no event id (payments stores it unchecked)."""
    if purchase.item != PurchaseItem.EVENT_TICKET or purchase.event_id is None:
        return None
    try:
        return UUID(purchase.event_id)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class GrantPurchasedTicket:
    """Job on ``PurchaseSucceeded``: the buyer of an ``event_ticket`` holds a ticket for
    its event, so ``Register`` admits them with admission ``ticket``.

    Idempotent: the ticket is keyed by (event, member), so a redelivered or replayed
    event grants nothing more (answer False). A ticket for an event that does not exist,
    or bought by an account erased since, grants nothing (logged: the purchase stays
    paid, a refund is the payments capability's business). One ticket per member and
    event, whatever the purchase's quantity."""

    transaction: Transaction
    events: EventStore
    tickets: EventTickets
    members: EventMembers
    clock: Clock

    async def __call__(self, purchase: PurchaseSucceeded) -> bool:
        event_id = ticket_event_of(purchase)
        if event_id is None:
            if purchase.item == PurchaseItem.EVENT_TICKET:
                log.warning(
                    "purchase %s is a ticket for no valid event id: nothing granted",
                    purchase.purchase_id,
                )
            return False
        async with self.transaction:
            if await self.events.get(event_id) is None:
                log.warning(
                    "purchase %s is a ticket for an unknown event: nothing granted",
                    purchase.purchase_id,
                )
                return False
            if await self.members.tier_of(purchase.user_id) is None:
                return False  # the account was erased meanwhile
            granted = await self.tickets.grant(purchase.user_id, event_id, self.clock.now())
            await self.transaction.commit()
        return granted
