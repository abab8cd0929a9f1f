"""The law of erasing one member of a conversation (ADR 0035), for any conversation: no
message names the erased member afterwards; the other member's delivered messages stay
exactly as they were (but for the cleared recipient); the erased member's delivered
messages stay from a deleted member with no body and no picture; everything the other
member never saw goes; every picture of the erased member's is reported for deletion."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from saltbitter.application.ports.matching import StoredMatch
from saltbitter.domain.conversations import Message, ModerationDecision, PhotoAttachment
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.shared import DELETED_MEMBER, UserId
from saltbitter.testing.fakes_conversations import ConversationsState
from saltbitter.testing.fakes_matching import MatchingState
from saltbitter.testing.memory import InMemoryConnection, InMemoryDatabase
from saltbitter.testing.privacy import (
    InMemoryConversationsPersonalData,
    InMemoryMatchingPersonalData,
)

ADA, BO = UserId(UUID(int=7)), UserId(UUID(int=9))
T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)
MATCH = uuid4()

a_message = st.tuples(
    st.sampled_from([ADA, BO]),
    st.sampled_from(list(ModerationDecision)),
    st.booleans(),
    st.text(min_size=1, max_size=20),
)


def _messages(drawn: list[tuple[UserId, ModerationDecision, bool, str]]) -> list[Message]:
    made = []
    for n, (sender, decision, photo, body) in enumerate(drawn):
        message_id = uuid4()
        made.append(
            Message(
                id=message_id,
                match_id=MATCH,
                sender_id=sender,
                recipient_id=BO if sender == ADA else ADA,
                body=body,
                client_message_id=f"c-{n}",
                created_at=T0 + timedelta(seconds=n),
                decision=decision,
                reasons=("contact",),
                attachment=PhotoAttachment(
                    f"{sender}/messages/{message_id}.jpg", "image/jpeg", 4, 3
                )
                if photo
                else None,
            )
        )
    return made


@given(st.lists(a_message, max_size=12))
def test_erasing_one_member_keeps_exactly_the_other_members_history(
    drawn: list[tuple[UserId, ModerationDecision, bool, str]],
) -> None:
    database = InMemoryDatabase()
    messages = _messages(drawn)
    database[ConversationsState].messages.update({m.id: m for m in messages})
    database[MatchingState].matches[MATCH] = StoredMatch(MATCH, MatchPair(ADA, BO), T0)
    connection = InMemoryConnection(database)

    async def erase() -> tuple[str, ...]:
        report = await InMemoryConversationsPersonalData(connection).erase(ADA)
        await InMemoryMatchingPersonalData(connection).erase(ADA)
        return report.blob_keys.get("messages", ())

    reported = asyncio.run(erase())

    kept = database[ConversationsState].messages
    assert all(ADA not in (m.sender_id, m.recipient_id) for m in kept.values())
    assert database[MatchingState].matches[MATCH].pair == MatchPair(DELETED_MEMBER, BO)
    for message in messages:
        if not message.decision.delivers:
            assert message.id not in kept  # nobody else ever saw it
        elif message.sender_id == BO:
            assert kept[message.id] == dataclasses.replace(message, recipient_id=DELETED_MEMBER)
        else:
            after = kept[message.id]
            assert (after.sender_id, after.body, after.attachment) == (DELETED_MEMBER, "", None)
            assert after.reasons == ()
            assert (after.created_at, after.recipient_id) == (message.created_at, BO)
    ada_pictures = {
        m.attachment.key for m in messages if m.attachment is not None and m.sender_id == ADA
    }
    hidden_pictures = {
        m.attachment.key
        for m in messages
        if m.attachment is not None and m.sender_id == BO and not m.decision.delivers
    }
    assert set(reported) == ada_pictures | hidden_pictures
