"""The member's AI history: read and delete (no consent needed: these are their rights)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ai.dto import AiConversationView, AiMessageView, HistoryView
from saltbitter.application.ports.ai import AiHistoryStore
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import NotFound

__all__ = ["DeleteAiConversation", "DeleteAiHistory", "GetAiHistory"]

MAX_MESSAGES_SHOWN = 500


@dataclass(frozen=True, slots=True)
class GetAiHistory:
    history: AiHistoryStore

    async def __call__(self, principal: Principal) -> HistoryView:
        views = []
        for conversation in await self.history.conversations(principal.user_id):
            messages = await self.history.messages(conversation.id, MAX_MESSAGES_SHOWN)
            views.append(
                AiConversationView(
                    conversation.id,
                    conversation.kind.value,
                    conversation.persona,
                    conversation.started_at,
                    tuple(
                        AiMessageView(m.id, m.role.value, m.body, m.created_at, m.crisis)
                        for m in messages
                    ),
                )
            )
        return HistoryView(tuple(views))


@dataclass(frozen=True, slots=True)
class DeleteAiHistory:
    transaction: Transaction
    history: AiHistoryStore

    async def __call__(self, principal: Principal) -> int:
        async with self.transaction:
            deleted = await self.history.delete_all(principal.user_id)
            await self.transaction.commit()
        return deleted


@dataclass(frozen=True, slots=True)
class DeleteAiConversation:
    transaction: Transaction
    history: AiHistoryStore

    async def __call__(self, principal: Principal, conversation_id: UUID) -> None:
        async with self.transaction:
            deleted = await self.history.delete(principal.user_id, conversation_id)
            await self.transaction.commit()
        if not deleted:
            raise NotFound("There is no such conversation.", code="conversation_not_found")
