"""The AI use cases through the production container with fakes (support.container)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from saltbitter.application.ai.coach import DraftFeedback, ExplainAssessment, SuggestIcebreakers
from saltbitter.application.ai.history import DeleteAiConversation, DeleteAiHistory, GetAiHistory
from saltbitter.application.ai.practice import (
    CRISIS_PLACEHOLDER,
    ListPersonas,
    SendPracticeMessage,
)
from saltbitter.application.ports.matching import StoredMatch
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts.model import ConsentPurpose, ConsentRecord
from saltbitter.domain.errors import NotFound, PermissionDenied, QuotaExceeded, Unavailable
from saltbitter.domain.matching.rules import MatchPair
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.testing.builders_profiles import a_profile
from saltbitter.testing.fakes import AccountsState
from saltbitter.testing.fakes_ai import AiState
from saltbitter.testing.fakes_matching import MatchingState
from saltbitter.testing.fakes_profiles import ProfilesState
from support.container import FakeWorld

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def member(tier: Tier = Tier.FREE) -> Principal:
    return Principal(UserId(uuid4()), SessionId(uuid4()), frozenset({Role.MEMBER}), tier, True)


def consent(world: FakeWorld, who: Principal, *, granted: bool = True) -> None:
    world.database[AccountsState].consents.append(
        ConsentRecord(who.user_id, ConsentPurpose.AI_FEATURES, granted, "2026-01", NOW)
    )


def matched(world: FakeWorld, a: Principal, b: Principal) -> UUID:
    match_id = uuid4()
    world.database[MatchingState].matches[match_id] = StoredMatch(
        match_id, MatchPair(a.user_id, b.user_id), NOW
    )
    return match_id


@pytest.fixture
def world() -> FakeWorld:
    world = FakeWorld()
    world.clock.current = NOW
    return world


async def test_personas_list_five_disclosed_personas(world: FakeWorld) -> None:
    personas = await (await world.get(ListPersonas))()
    assert [p.id for p in personas.items] == ["shy", "direct", "playful", "anxious", "avoidant"]
    assert all(p.disclosure.is_ai and p.disclosure.full for p in personas.items)


async def test_nothing_works_without_consent_and_withdrawal_stops_at_once(
    world: FakeWorld,
) -> None:
    ada = member()
    send = await world.get(SendPracticeMessage)
    with pytest.raises(PermissionDenied) as refused:
        await send(ada, "shy", "Hi there")
    assert refused.value.code == "ai_consent_required"
    consent(world, ada)
    answer = await (await world.get(SendPracticeMessage))(ada, "shy", "Hi there")
    assert answer.is_ai
    consent(world, ada, granted=False)
    with pytest.raises(PermissionDenied):
        await (await world.get(SendPracticeMessage))(ada, "shy", "Still there?")
    assert len(world.language_model.requests) == 1


async def test_first_exchange_carries_the_full_disclosure_later_ones_the_short(
    world: FakeWorld,
) -> None:
    ada = member()
    consent(world, ada)
    first = await (await world.get(SendPracticeMessage))(ada, "playful", "Hello!")
    second = await (await world.get(SendPracticeMessage))(ada, "playful", "How are you?")
    assert first.disclosure.full
    assert first.disclosure.limitations
    assert not second.disclosure.full
    assert second.is_ai
    assert second.label == "AI-generated"
    assert second.conversation_id == first.conversation_id
    # The model saw the earlier exchange as context, in order.
    turns = world.language_model.requests[-1].turns
    assert [t.text for t in turns] == ["Hello!", "An AI reply.", "How are you?"]


async def test_crisis_wins_over_role_play_before_any_model_call_and_costs_no_quota(
    world: FakeWorld,
) -> None:
    ada = member()
    consent(world, ada)
    answer = await (await world.get(SendPracticeMessage))(ada, "shy", "I want to kill myself")
    assert answer.crisis is not None
    assert answer.crisis.kind == "self_harm"
    assert answer.crisis.resources
    assert answer.is_ai
    assert world.language_model.requests == []
    assert world.database[AiState].quota == {}
    # The member's words are not kept; the support answer is.
    bodies = [m.body for m in world.database[AiState].messages]
    assert bodies[0] == CRISIS_PLACEHOLDER


async def test_quota_per_tier_and_the_reset_time(world: FakeWorld) -> None:
    ada = member()
    consent(world, ada)
    for _ in range(50):
        await (await world.get(SendPracticeMessage))(ada, "direct", "Hi")
    with pytest.raises(QuotaExceeded) as refused:
        await (await world.get(SendPracticeMessage))(ada, "direct", "Hi")
    assert refused.value.code == "ai_quota_exceeded"
    assert "resets at" in refused.value.message
    assert refused.value.retry_after_seconds is not None
    assert len(world.language_model.requests) == 50


async def test_provider_failure_is_unavailable_and_spends_no_quota(world: FakeWorld) -> None:
    ada = member()
    consent(world, ada)
    world.language_model.failing = True
    with pytest.raises(Unavailable) as failed:
        await (await world.get(SendPracticeMessage))(ada, "shy", "Hi")
    assert failed.value.code == "ai_unavailable"
    assert sum(world.database[AiState].quota.values()) == 0
    assert world.database[AiState].messages == []


async def test_concurrent_messages_never_exceed_the_quota(world: FakeWorld) -> None:
    ada = member()
    consent(world, ada)

    async def one() -> bool:
        try:
            await (await world.get(SendPracticeMessage))(ada, "anxious", "Hi")
        except QuotaExceeded:
            return False
        return True

    results = await asyncio.gather(*(one() for _ in range(60)))
    assert sum(results) == 50


async def test_icebreakers_for_own_match_from_shared_interests_only(world: FakeWorld) -> None:
    ada, bo, cy = member(), member(), member()
    consent(world, ada)
    consent(world, cy)
    profiles = world.database[ProfilesState].profiles
    profiles[ada.user_id] = a_profile(ada.user_id, interests=("hiking", "jazz", "chess"))
    profiles[bo.user_id] = a_profile(bo.user_id, interests=("jazz", "Hiking", "surfing"))
    match_id = matched(world, ada, bo)
    answer = await (await world.get(SuggestIcebreakers))(ada, match_id)
    assert answer.label == "AI-generated"
    assert 1 <= len(answer.suggestions) <= 3
    request = world.language_model.requests[-1]
    assert set(request.topics) >= {"hiking", "jazz"}
    assert "chess" not in request.topics
    assert "surfing" not in request.topics
    with pytest.raises(NotFound):
        await (await world.get(SuggestIcebreakers))(cy, match_id)
    with pytest.raises(NotFound):
        await (await world.get(DraftFeedback))(cy, match_id, "Hi!")


async def test_draft_feedback_sends_only_the_draft(world: FakeWorld) -> None:
    ada, bo = member(), member()
    consent(world, ada)
    match_id = matched(world, ada, bo)
    answer = await (await world.get(DraftFeedback))(ada, match_id, "hey u up")
    assert answer.is_ai
    request = world.language_model.requests[-1]
    assert [t.text for t in request.turns] == ["hey u up"]
    assert "Do NOT rewrite" in request.instructions
    assert str(ada.user_id) not in repr(request)
    assert str(bo.user_id) not in repr(request)


async def test_explain_assessment_needs_a_result(world: FakeWorld) -> None:
    ada = member()
    consent(world, ada)
    with pytest.raises(NotFound):
        await (await world.get(ExplainAssessment))(ada)


async def test_history_read_and_deleted_even_after_withdrawal(world: FakeWorld) -> None:
    ada, bo = member(), member()
    consent(world, ada)
    consent(world, bo)
    first = await (await world.get(SendPracticeMessage))(ada, "shy", "Hi")
    await (await world.get(SendPracticeMessage))(ada, "direct", "Hello")
    await (await world.get(SendPracticeMessage))(bo, "shy", "Yo")
    consent(world, ada, granted=False)
    history = await (await world.get(GetAiHistory))(ada)
    assert len(history.items) == 2
    assert history.used_for_training is False
    assert first.conversation_id is not None
    with pytest.raises(NotFound):
        await (await world.get(DeleteAiConversation))(bo, first.conversation_id)
    await (await world.get(DeleteAiConversation))(ada, first.conversation_id)
    assert len((await (await world.get(GetAiHistory))(ada)).items) == 1
    assert await (await world.get(DeleteAiHistory))(ada) == 1
    assert (await (await world.get(GetAiHistory))(ada)).items == ()
    assert len((await (await world.get(GetAiHistory))(bo)).items) == 1
