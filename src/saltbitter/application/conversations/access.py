"""Who may read and write a conversation (one rule for every use case)."""

from __future__ import annotations

from uuid import UUID

from saltbitter.application.ports.conversations import ConversationAccess, ConversationMembers
from saltbitter.domain.errors import NotFound
from saltbitter.domain.shared import UserId

__all__ = ["ensure_open", "open_conversation", "readable_conversation"]


async def open_conversation(
    access: ConversationAccess, match_id: UUID, member: UserId
) -> ConversationMembers:
    """The conversation when ``member`` is in it and it is open.

    Someone else's match or no match at all: 404 ``match_not_found`` (the same answer,
    so ids reveal nothing). Unmatched (or blocked): 404 ``conversation_closed`` for both
    members; the history is hidden with it (docs/product-rules.md 12: the conversation is closed for
    both, and nothing there says it stays readable).
    """
    return ensure_open(await access.conversation(match_id), member)


def ensure_open(found: ConversationMembers | None, member: UserId) -> ConversationMembers:
    """The rule of ``open_conversation`` on a conversation already read."""
    if found is None or member not in found.members:
        raise NotFound("No such match.", code="match_not_found")
    if not found.is_open:
        raise NotFound("This conversation is closed.", code="conversation_closed")
    return found


async def readable_conversation(
    access: ConversationAccess, match_id: UUID, member: UserId
) -> ConversationMembers:
    """The conversation when ``member`` may read its history: it is open, or the other
    member was erased while it was open (ADR 0035: the remaining member keeps their
    history, shown with a deleted member, though nothing can be sent there any more).
    Otherwise the answers of ``open_conversation``."""
    found = await access.conversation(match_id)
    if found is not None and found.history_kept and member in found.members:
        return found
    return ensure_open(found, member)
