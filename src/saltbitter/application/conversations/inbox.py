"""The member's conversations, newest activity first."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.conversations.attachments import AttachmentLinks
from saltbitter.application.conversations.messages import may_see_receipts
from saltbitter.application.conversations.views import (
    ConversationsPage,
    ConversationView,
    MemberView,
)
from saltbitter.application.ports.conversations import ConversationAccess
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.conversations import DEFAULT_PAGE_SIZE, MessageCursor

__all__ = ["ListConversations"]


@dataclass(frozen=True, slots=True)
class ListConversations:
    """Open conversations (and those whose other member was erased, ADR 0035) with the
    other member, the last message either may see and
    how many are unread, 30 a page, newest activity first (ties by match id)."""

    access: ConversationAccess
    links: AttachmentLinks

    async def __call__(self, principal: Principal, cursor: str | None) -> ConversationsPage:
        after = None if cursor is None else MessageCursor.decode(cursor, field="cursor")
        summaries = await self.access.inbox(principal.user_id)
        ordered = sorted(
            summaries, key=lambda s: MessageCursor(s.activity_at, s.match_id), reverse=True
        )
        if after is not None:
            ordered = [s for s in ordered if MessageCursor(s.activity_at, s.match_id) < after]
        page = ordered[:DEFAULT_PAGE_SIZE]
        receipts = may_see_receipts(principal.tier)
        items = [
            ConversationView(
                s.match_id,
                MemberView(
                    None if s.member.deleted else s.member.user_id,
                    s.member.display_name,
                    s.member.deleted,
                ),
                None
                if s.last_message is None
                else await self.links.view(
                    s.last_message.as_seen_by(principal.user_id, read_receipts=receipts)
                ),
                s.unread_count,
            )
            for s in page
        ]
        more = len(ordered) > DEFAULT_PAGE_SIZE
        last = page[-1] if page else None
        next_cursor = (
            MessageCursor(last.activity_at, last.match_id).encode() if more and last else None
        )
        return ConversationsPage(items, next_cursor)
