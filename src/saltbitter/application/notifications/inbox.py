"""The member's in-app notifications: a finite, paged list, marked read on request."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from saltbitter.application.notifications.dto import MarkedRead, NotificationPage, NotificationView
from saltbitter.application.notifications.messages import notification_text
from saltbitter.application.ports.notifications import (
    Notification,
    NotificationInbox,
    PagePosition,
)
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import ValidationFailed

__all__ = ["ListNotifications", "MarkNotificationsRead", "decode_cursor", "encode_cursor"]


@dataclass(frozen=True, slots=True)
class ListNotifications:
    """The caller's notifications, newest first, ``PAGE_SIZE`` per page.

    Pages are finite (docs/product-rules.md 8) and keyed by the last item shown, so a new
    notification arriving meanwhile never shifts or repeats items on the next page.
    """

    PAGE_SIZE: ClassVar[int] = 20

    inbox: NotificationInbox

    async def __call__(self, principal: Principal, cursor: str | None = None) -> NotificationPage:
        after = decode_cursor(cursor) if cursor else None
        # One extra row says whether another page exists, without counting.
        rows = await self.inbox.page(principal.user_id, after=after, limit=self.PAGE_SIZE + 1)
        shown = rows[: self.PAGE_SIZE]
        more = len(rows) > self.PAGE_SIZE
        return NotificationPage(
            items=[_view(notification) for notification in shown],
            next_cursor=encode_cursor(shown[-1]) if more else None,
        )


@dataclass(frozen=True, slots=True)
class MarkNotificationsRead:
    """Mark some of the caller's notifications read.

    Ids of other members' notifications (and unknown ids) are ignored rather than
    refused: the answer counts only the caller's own notifications that changed, so it
    reveals nothing about anyone else's.
    """

    MAX_IDS: ClassVar[int] = 100

    transaction: Transaction
    inbox: NotificationInbox
    clock: Clock

    async def __call__(self, principal: Principal, ids: Sequence[UUID]) -> MarkedRead:
        if len(ids) > self.MAX_IDS:
            raise ValidationFailed.single(
                "ids", f"Send at most {self.MAX_IDS} ids at a time.", "too_many"
            )
        if not ids:
            return MarkedRead(0)
        async with self.transaction:
            updated = await self.inbox.mark_read(principal.user_id, ids, self.clock.now())
            await self.transaction.commit()
        return MarkedRead(updated)


def encode_cursor(last: Notification) -> str:
    raw = f"{last.created_at.isoformat()}|{last.id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> PagePosition:
    """The position a cursor names; anything not made by :func:`encode_cursor` is a 422."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        stamp, _, identifier = raw.partition("|")
        created_at = datetime.fromisoformat(stamp)
        position = PagePosition(created_at, UUID(identifier))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        position = None
    if position is None or position.created_at.utcoffset() is None:
        raise ValidationFailed.single(
            "cursor", "This cursor is not valid; start again from the first page.", "invalid_cursor"
        )
    return position


def _view(notification: Notification) -> NotificationView:
    return NotificationView(
        id=notification.id,
        kind=notification.kind,
        text=notification_text(notification.kind, notification.payload),
        data=dict(notification.payload),
        created_at=notification.created_at,
        read=notification.read_at is not None,
        read_at=notification.read_at,
    )
