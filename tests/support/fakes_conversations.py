"""Conversations' role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import AnyOf, Provider, Scope, provide

from saltbitter.application.ports.conversations import (
    ConversationAccess,
    MessageReader,
    MessageWriter,
)
from saltbitter.testing.fakes_conversations import (
    InMemoryConversationAccess,
    InMemoryMessageRepository,
)

__all__ = ["ConversationsFakes"]


class ConversationsFakes(Provider):
    scope = Scope.REQUEST

    messages = provide(
        InMemoryMessageRepository, provides=AnyOf[MessageReader, MessageWriter], override=True
    )
    access = provide(InMemoryConversationAccess, provides=ConversationAccess, override=True)
