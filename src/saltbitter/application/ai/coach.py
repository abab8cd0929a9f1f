"""The coach (feedback on a draft, the member's own assessment explained) and icebreakers.

Nothing here writes or sends a message for the member: feedback describes, icebreakers
suggest, and the member decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saltbitter.application.ai.asking import QuotaGate
from saltbitter.application.ai.dto import AI_LABEL, AiAnswer, CrisisView, DisclosureView
from saltbitter.application.ai.guard import AiPolicy, crisis_for, require_consent
from saltbitter.application.ai.practice import CRISIS_PLACEHOLDER, record_exchange
from saltbitter.application.ports.ai import (
    AiAssessmentReader,
    AiConsentReader,
    AiHistoryStore,
    AiMatchReader,
    AiTask,
    Conversation,
    ConversationKind,
    MessageRole,
    ModelRequest,
    Turn,
)
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.ai.crisis import CrisisResponse
from saltbitter.domain.ai.personas import COACH_DISCLOSURE, ICEBREAKER_DISCLOSURE, Disclosure
from saltbitter.domain.errors import NotFound

__all__ = ["DraftFeedback", "ExplainAssessment", "SuggestIcebreakers"]

MAX_ICEBREAKERS = 3

_FEEDBACK = (
    "You are an AI dating coach. The member shows you a draft message they wrote to a "
    "match. Give short feedback on its tone and clarity: what works, what might land "
    "badly, one question to consider. Do NOT rewrite the message, do not write any "
    "message for them, do not guess anything about the recipient. At most 120 words."
)
_EXPLAIN = (
    "You are an AI coach explaining an attachment-style questionnaire result to the "
    "member who took it. Use plain, warm, non-diagnostic language: it is a self-report "
    "snapshot of tendencies, not a diagnosis, a label or a fixed trait, and styles can "
    "change. Mention that results near a boundary fit both neighbouring styles. No "
    "clinical terms, no advice to seek treatment unless asked. At most 150 words."
)
_ICEBREAKERS = (
    "You are an AI that suggests friendly first messages for a dating-app match. Suggest "
    f"at most {MAX_ICEBREAKERS} short, respectful openers (one sentence each) built only on "
    "the shared topics given. No pick-up lines, nothing sexual, no assumptions beyond "
    "the topics. Answer as JSON."
)


def _crisis_answer(crisis: CrisisResponse, disclosure: Disclosure) -> AiAnswer:
    return AiAnswer(
        reply=crisis.message,
        is_ai=True,
        label=AI_LABEL,
        disclosure=DisclosureView.of(disclosure, full=True),
        crisis=CrisisView.of(crisis),
    )


@dataclass(frozen=True, slots=True)
class _Coaching:
    transaction: Transaction
    consents: AiConsentReader
    history: AiHistoryStore
    gate: QuotaGate
    clock: Clock
    ids: IdGenerator
    policy: AiPolicy

    def _conversation(self, principal: Principal, kind: ConversationKind) -> Conversation:
        return Conversation(self.ids.new_id(), principal.user_id, kind, None, self.clock.now())

    async def _keep(
        self, principal: Principal, kind: ConversationKind, said: str, answered: str, crisis: bool
    ) -> UUID:
        conversation = self._conversation(principal, kind)
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
        return conversation.id


@dataclass(frozen=True, slots=True)
class DraftFeedback(_Coaching):
    matches: AiMatchReader

    async def __call__(self, principal: Principal, match_id: UUID, draft: str) -> AiAnswer:
        await require_consent(self.consents, principal.user_id)
        if await self.matches.shared_ground(principal.user_id, match_id) is None:
            raise NotFound("There is no such match.", code="match_not_found")
        crisis = crisis_for(draft)
        if crisis is not None:
            await self._keep(
                principal, ConversationKind.COACH, CRISIS_PLACEHOLDER, crisis.message, True
            )
            return _crisis_answer(crisis, COACH_DISCLOSURE)
        request = ModelRequest(
            task=AiTask.DRAFT_FEEDBACK,
            instructions=_FEEDBACK,
            turns=(Turn(MessageRole.MEMBER, draft),),
            requester=self.policy.requester(principal.user_id),
        )
        reply, remaining = await self.gate.ask(principal, request)
        said = f"Feedback on my draft: {draft}"
        conversation_id = await self._keep(
            principal, ConversationKind.COACH, said, reply.text, False
        )
        return AiAnswer(
            reply=reply.text,
            is_ai=True,
            label=AI_LABEL,
            disclosure=DisclosureView.of(COACH_DISCLOSURE, full=True),
            conversation_id=conversation_id,
            stand_in=reply.stand_in,
            quota_remaining=remaining,
        )


@dataclass(frozen=True, slots=True)
class ExplainAssessment(_Coaching):
    assessments: AiAssessmentReader

    async def __call__(self, principal: Principal, question: str | None = None) -> AiAnswer:
        await require_consent(self.consents, principal.user_id)
        crisis = crisis_for(question or "")
        if crisis is not None:
            await self._keep(
                principal, ConversationKind.COACH, CRISIS_PLACEHOLDER, crisis.message, True
            )
            return _crisis_answer(crisis, COACH_DISCLOSURE)
        result = await self.assessments.latest_result(principal.user_id)
        if result is None:
            raise NotFound("Take the attachment assessment first.", code="assessment_not_found")
        # The member asked about their own result: only the plain result is sent (the
        # style and whether it sits near a boundary), never scores or answers.
        facts = f"Result: {result.style} attachment style."
        if result.near_boundary:
            facts += " The result sits near the boundary with a neighbouring style."
        said = facts if not question else f"{facts}\nMy question: {question}"
        request = ModelRequest(
            task=AiTask.EXPLAIN_ASSESSMENT,
            instructions=_EXPLAIN,
            turns=(Turn(MessageRole.MEMBER, said),),
            requester=self.policy.requester(principal.user_id),
            topics=(result.style,),
        )
        reply, remaining = await self.gate.ask(principal, request)
        conversation_id = await self._keep(
            principal, ConversationKind.COACH, said, reply.text, False
        )
        return AiAnswer(
            reply=reply.text,
            is_ai=True,
            label=AI_LABEL,
            disclosure=DisclosureView.of(COACH_DISCLOSURE, full=True),
            conversation_id=conversation_id,
            stand_in=reply.stand_in,
            quota_remaining=remaining,
        )


@dataclass(frozen=True, slots=True)
class SuggestIcebreakers(_Coaching):
    matches: AiMatchReader

    async def __call__(self, principal: Principal, match_id: UUID) -> AiAnswer:
        await require_consent(self.consents, principal.user_id)
        ground = await self.matches.shared_ground(principal.user_id, match_id)
        if ground is None:
            raise NotFound("There is no such match.", code="match_not_found")
        topics = (*ground.interests, *ground.values)
        crisis = crisis_for(*topics)
        if crisis is not None:
            return _crisis_answer(crisis, ICEBREAKER_DISCLOSURE)
        listed = ", ".join(topics) if topics else "(nothing in common listed yet)"
        request = ModelRequest(
            task=AiTask.ICEBREAKERS,
            instructions=_ICEBREAKERS,
            turns=(Turn(MessageRole.MEMBER, f"Shared topics: {listed}"),),
            requester=self.policy.requester(principal.user_id),
            topics=topics,
            list_of=MAX_ICEBREAKERS,
        )
        reply, remaining = await self.gate.ask(principal, request)
        openers = tuple(item.strip() for item in reply.items if item.strip())[:MAX_ICEBREAKERS]
        text = "\n".join(f"{AI_LABEL}: {opener}" for opener in openers)
        conversation_id = await self._keep(
            principal, ConversationKind.ICEBREAKERS, f"Icebreakers on: {listed}", text, False
        )
        return AiAnswer(
            reply=text,
            is_ai=True,
            label=AI_LABEL,
            disclosure=DisclosureView.of(ICEBREAKER_DISCLOSURE, full=True),
            conversation_id=conversation_id,
            suggestions=openers,
            stand_in=reply.stand_in,
            quota_remaining=remaining,
        )
