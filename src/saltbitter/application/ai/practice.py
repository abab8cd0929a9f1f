"""Practice conversations with the five personas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from saltbitter.application.ai.asking import QuotaGate
from saltbitter.application.ai.dto import (
    AI_LABEL,
    AiAnswer,
    CrisisView,
    DisclosureView,
    PersonaList,
    PersonaView,
)
from saltbitter.application.ai.guard import AiPolicy, crisis_for, require_consent
from saltbitter.application.ports.ai import (
    AiConsentReader,
    AiHistoryStore,
    AiTask,
    Conversation,
    ConversationKind,
    MessageRole,
    ModelRequest,
    StoredMessage,
    Turn,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.ai.personas import PERSONAS, persona
from saltbitter.domain.errors import NotFound

__all__ = ["CRISIS_PLACEHOLDER", "ListPersonas", "SendPracticeMessage", "record_exchange"]

# A message that triggered the crisis check is not kept (special-category data the member
# did not ask us to store, GDPR Art. 9) and never sent to the provider; this stands in.
CRISIS_PLACEHOLDER = "[message not kept: support resources were shown]"


@dataclass(frozen=True, slots=True)
class ListPersonas:
    async def __call__(self) -> PersonaList:
        return PersonaList(tuple(PersonaView.of(p) for p in PERSONAS))


@dataclass(frozen=True, slots=True)
class SendPracticeMessage:
    transaction: Transaction
    consents: AiConsentReader
    history: AiHistoryStore
    gate: QuotaGate
    clock: Clock
    ids: IdGenerator
    policy: AiPolicy

    async def __call__(
        self,
        principal: Principal,
        persona_id: str,
        body: str,
        conversation_id: UUID | None = None,
    ) -> AiAnswer:
        chosen = persona(persona_id)
        user = principal.user_id
        await require_consent(self.consents, user)
        conversation = await self._conversation(principal, chosen.id.value, conversation_id)
        earlier = (
            ()
            if conversation is None
            else tuple(await self.history.messages(conversation.id, self.policy.context_turns))
        )
        first = not earlier
        if conversation is None:
            conversation = Conversation(
                self.ids.new_id(),
                user,
                ConversationKind.PRACTICE,
                chosen.id.value,
                self.clock.now(),
            )
        disclosure = DisclosureView.of(chosen.disclosure, full=first)

        crisis = crisis_for(body)
        if crisis is not None:  # before any model call, and free of quota
            await self._record(conversation, CRISIS_PLACEHOLDER, crisis.message, crisis=True)
            return AiAnswer(
                reply=crisis.message,
                is_ai=True,
                label=AI_LABEL,
                disclosure=disclosure,
                conversation_id=conversation.id,
                crisis=CrisisView.of(crisis),
            )

        turns = tuple(Turn(m.role, m.body) for m in earlier if not m.crisis)
        request = ModelRequest(
            task=AiTask.PRACTICE,
            instructions=chosen.instructions,
            turns=(*turns, Turn(MessageRole.MEMBER, body)),
            requester=self.policy.requester(user),
            persona=chosen.id.value,
        )
        reply, remaining = await self.gate.ask(principal, request)
        await self._record(conversation, body, reply.text, crisis=False)
        return AiAnswer(
            reply=reply.text,
            is_ai=True,
            label=AI_LABEL,
            disclosure=disclosure,
            conversation_id=conversation.id,
            stand_in=reply.stand_in,
            quota_remaining=remaining,
        )

    async def _conversation(
        self, principal: Principal, persona_id: str, conversation_id: UUID | None
    ) -> Conversation | None:
        if conversation_id is None:
            return await self.history.latest_conversation(
                principal.user_id, ConversationKind.PRACTICE, persona_id
            )
        found = await self.history.conversation(principal.user_id, conversation_id)
        if found is None or found.persona != persona_id:
            raise NotFound("There is no such conversation.", code="conversation_not_found")
        return found

    async def _record(
        self, conversation: Conversation, said: str, answered: str, *, crisis: bool
    ) -> None:
        await record_exchange(
            self.transaction,
            self.history,
            self.ids,
            self.clock,
            conversation,
            said,
            answered,
            crisis=crisis,
        )


async def record_exchange(
    transaction: Transaction,
    history: AiHistoryStore,
    ids: IdGenerator,
    clock: Clock,
    conversation: Conversation,
    said: str,
    answered: str,
    *,
    crisis: bool,
) -> None:
    """Keep one exchange (the conversation too, when it is new)."""
    async with transaction:
        existing = await history.conversation(conversation.user_id, conversation.id)
        if existing is None:  # new, or deleted by the member meanwhile
            history.start(conversation)
        now = clock.now()
        history.add(
            StoredMessage(ids.new_id(), conversation.id, MessageRole.MEMBER, said, now, crisis)
        )
        later = now + timedelta(microseconds=1)  # the reply sorts after what it answers
        history.add(
            StoredMessage(ids.new_id(), conversation.id, MessageRole.AI, answered, later, crisis)
        )
        await transaction.commit()
