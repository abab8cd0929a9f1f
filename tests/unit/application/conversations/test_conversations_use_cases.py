"""The conversations use cases, resolved from the production container with fakes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from saltbitter.application.conversations import topics
from saltbitter.application.conversations.attachments import GetMessagePhoto
from saltbitter.application.conversations.events import MessageHeld, MessageSent
from saltbitter.application.conversations.inbox import ListConversations
from saltbitter.application.conversations.live import (
    AcknowledgeDelivery,
    CatchUp,
    SendTyping,
)
from saltbitter.application.conversations.messages import (
    ListMessages,
    MarkRead,
    ModerationPolicy,
    ScreenUnscreenedMessages,
    SendMessage,
    SendPhotoMessage,
)
from saltbitter.application.conversations.views import (
    ConversationClosed,
    MatchNew,
    MessageDelivered,
    MessageNew,
    MessagesRead,
    MessageView,
    Typing,
)
from saltbitter.application.matching.events import MatchCreated, Unmatched
from saltbitter.application.outbox import RelayOutbox
from saltbitter.application.ports.conversations import DeliveryReceipt
from saltbitter.application.ports.matching import StoredMatch
from saltbitter.application.safety.blocks import BlockMember, UnblockMember
from saltbitter.application.safety.events import HeldMessageReleased
from saltbitter.application.safety.moderation import ResolveHeldMessage
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import Conflict, NotFound, Unavailable, ValidationFailed
from saltbitter.domain.matching import MatchPair
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_matching import MatchingState
from support.container import FakeWorld


def _principal(user_id: UserId, tier: Tier = Tier.FREE) -> Principal:
    return Principal(user_id, SessionId(uuid.uuid4()), frozenset({Role.MEMBER}), tier, True)


class Pair:
    def __init__(self, world: FakeWorld) -> None:
        users = world.database[AccountsState].users
        ada, bo, cy = a_user(), a_user(), a_user()
        for user in (ada, bo, cy):
            users[user.id] = user
        users[bo.id] = replace(bo, display_name="Bo")
        self.ada, self.bo, self.cy = (_principal(u.id) for u in (ada, bo, cy))
        self.match_id = uuid.uuid4()
        world.database[MatchingState].matches[self.match_id] = StoredMatch(
            self.match_id, MatchPair(ada.id, bo.id), world.clock.now()
        )
        self.world = world

    def unmatch(self) -> None:
        matches = self.world.database[MatchingState].matches
        matches[self.match_id] = replace(
            matches[self.match_id],
            unmatched_at=self.world.clock.now(),
            unmatched_by=self.ada.user_id,
        )


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def pair(world: FakeWorld) -> Pair:
    return Pair(world)


async def _send(world: FakeWorld, who: Principal, pair: Pair, body: str, key: str = "k1"):  # type: ignore[no-untyped-def]
    return await (await world.get(SendMessage))(who, pair.match_id, body, key)


async def test_a_message_is_stored_announced_and_pushed_to_both_members(
    world: FakeWorld, pair: Pair
) -> None:
    sent = await _send(world, pair.ada, pair, "  Hello Bo!  ")
    assert sent.created
    assert sent.message.body == "Hello Bo!"
    assert sent.message.status == "sent"
    assert sent.notice is None
    [event] = world.events(MessageSent)
    assert event.recipient_id == pair.bo.user_id
    pushed = world.fanout.to(pair.bo.user_id)
    assert pushed == [MessageNew(message=sent.message)]
    assert world.fanout.to(pair.ada.user_id) == pushed  # the sender's other devices


async def test_the_same_client_message_id_answers_the_same_message(
    world: FakeWorld, pair: Pair
) -> None:
    first = await _send(world, pair.ada, pair, "Hi")
    again = await _send(world, pair.ada, pair, "Hi (edited)")
    assert not again.created
    assert again.message == first.message
    page = await (await world.get(ListMessages))(pair.bo, pair.match_id, None, None)
    assert [m.id for m in page.items] == [first.message.id]
    assert len(world.message_moderator.screened) == 1


async def test_a_client_message_id_is_not_reused_across_conversations(
    world: FakeWorld, pair: Pair
) -> None:
    await _send(world, pair.ada, pair, "Hi", key="shared")
    other_match = uuid.uuid4()
    cy = pair.cy.user_id
    world.database[MatchingState].matches[other_match] = StoredMatch(
        other_match, MatchPair(pair.ada.user_id, cy), world.clock.now()
    )
    with pytest.raises(Conflict) as caught:
        await (await world.get(SendMessage))(pair.ada, other_match, "Hi", "shared")
    assert caught.value.code == "client_message_id_reused"


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
async def test_bodies_outside_1_to_2000_characters_are_refused(
    world: FakeWorld, pair: Pair, body: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await _send(world, pair.ada, pair, body)
    assert caught.value.errors[0].field == "body"


async def test_only_the_two_members_may_read_or_write(world: FakeWorld, pair: Pair) -> None:
    await _send(world, pair.ada, pair, "Hi")
    for attempt in (
        _send(world, pair.cy, pair, "me too"),
        (await world.get(ListMessages))(pair.cy, pair.match_id, None, None),
        _send(world, pair.ada, _Elsewhere(), "nobody"),
    ):
        with pytest.raises(NotFound) as caught:
            await attempt
        assert caught.value.code == "match_not_found"


class _Elsewhere:
    match_id = uuid.uuid4()


async def test_after_unmatch_the_conversation_is_closed_for_both(
    world: FakeWorld, pair: Pair
) -> None:
    sent = await _send(world, pair.ada, pair, "Hi")
    pair.unmatch()
    for who in (pair.ada, pair.bo):
        with pytest.raises(NotFound) as caught:
            await (await world.get(ListMessages))(who, pair.match_id, None, None)
        assert caught.value.code == "conversation_closed"
        with pytest.raises(NotFound):
            await _send(world, who, pair, "still there?", key="k9")
        with pytest.raises(NotFound):
            await (await world.get(MarkRead))(who, pair.match_id, sent.message.id)
    assert (await (await world.get(ListConversations))(pair.ada, None)).items == []


@pytest.mark.parametrize("blocker", ["ada", "bo"])
async def test_a_block_either_way_closes_the_conversation_for_both(
    world: FakeWorld, pair: Pair, blocker: str
) -> None:
    first = await _send(world, pair.ada, pair, "Hi", key="k1")
    world.clock.advance(timedelta(seconds=1))
    await _send(world, pair.bo, pair, "Hi Ada", key="k2")
    by, of = (pair.ada, pair.bo) if blocker == "ada" else (pair.bo, pair.ada)
    await (await world.get(BlockMember))(by, of.user_id)
    pushed_before = {who: list(world.fanout.to(who)) for who in (pair.ada.user_id, pair.bo.user_id)}
    for who in (pair.ada, pair.bo):
        for attempt in (
            (await world.get(ListMessages))(who, pair.match_id, None, None),
            _send(world, who, pair, "still there?", key="k9"),
            (await world.get(MarkRead))(who, pair.match_id, first.message.id),
            (await world.get(SendTyping))(who, pair.match_id),
        ):
            with pytest.raises(NotFound) as caught:
                await attempt
            assert caught.value.code == "conversation_closed"
        assert (await (await world.get(ListConversations))(who, None)).items == []
        # A reconnecting socket resumes with nothing of the closed conversation.
        assert await (await world.get(CatchUp))(who, first.message.id) == []
    # Neither member's attempt reached a socket (a blocked sender's message never does).
    assert {who: world.fanout.to(who) for who in pushed_before} == pushed_before
    assert len(world.events(MessageSent)) == 2  # nothing stored after the block


async def test_a_block_pushes_conversation_closed_to_both_and_lifting_it_reopens(
    world: FakeWorld, pair: Pair
) -> None:
    await (await world.get(BlockMember))(pair.bo, pair.cy.user_id)  # no match: no push
    await (await world.get(BlockMember))(pair.bo, pair.ada.user_id)
    ran = await world.deliver_jobs(only={"conversations.close_blocked_conversation"})
    assert ran == ["conversations.close_blocked_conversation"] * 2
    closed = ConversationClosed(match_id=pair.match_id)
    assert world.fanout.to(pair.ada.user_id) == [closed]
    assert world.fanout.to(pair.bo.user_id) == [closed]
    assert world.fanout.to(pair.cy.user_id) == []
    # The match itself is matching's: a lifted block shows the conversation again.
    await (await world.get(UnblockMember))(pair.bo, pair.ada.user_id)
    sent = await _send(world, pair.ada, pair, "Hello again")
    assert sent.created


async def test_history_pages_newest_first_with_a_stable_cursor(
    world: FakeWorld, pair: Pair
) -> None:
    ids = []
    for n in range(7):
        world.clock.advance(timedelta(seconds=1))
        ids.append((await _send(world, pair.ada, pair, f"m{n}", key=f"k{n}")).message.id)
    list_messages = await world.get(ListMessages)
    first = await list_messages(pair.bo, pair.match_id, None, 3)
    assert [m.id for m in first.items] == ids[::-1][:3]
    # A message arriving between pages does not shift the next page.
    world.clock.advance(timedelta(seconds=1))
    await _send(world, pair.bo, pair, "new", key="late")
    second = await list_messages(pair.bo, pair.match_id, first.next_cursor, 3)
    assert [m.id for m in second.items] == ids[::-1][3:6]
    third = await list_messages(pair.bo, pair.match_id, second.next_cursor, 3)
    assert [m.id for m in third.items] == ids[:1]
    assert third.next_cursor is None
    with pytest.raises(ValidationFailed):
        await list_messages(pair.bo, pair.match_id, None, 51)


async def test_scams_are_held_for_review_and_never_reach_the_recipient(
    world: FakeWorld, pair: Pair
) -> None:
    held = await _send(world, pair.ada, pair, "Please buy me gift cards, I need money for rent")
    assert held.message.status == "held"
    assert held.notice is not None
    [event] = world.events(MessageHeld)
    assert event.decision == "hold"
    assert "scam_pattern" in event.reasons
    assert world.events(MessageSent) == []
    assert world.fanout.to(pair.bo.user_id) == []
    bo_sees = await (await world.get(ListMessages))(pair.bo, pair.match_id, None, None)
    assert bo_sees.items == []
    ada_sees = await (await world.get(ListMessages))(pair.ada, pair.match_id, None, None)
    assert [m.status for m in ada_sees.items] == ["held"]


async def test_contact_details_are_delivered_with_a_nudge(world: FakeWorld, pair: Pair) -> None:
    sent = await _send(world, pair.ada, pair, "Text me on WhatsApp")
    assert sent.message.status == "sent"
    assert sent.notice is not None
    assert world.fanout.to(pair.bo.user_id)


async def test_moderation_down_delivers_unscreened_by_default(world: FakeWorld, pair: Pair) -> None:
    world.message_moderator.down = True
    sent = await _send(world, pair.ada, pair, "Hi")
    assert sent.created
    [event] = world.events(MessageSent)
    assert event.decision == "unscreened"


async def test_moderation_down_refuses_messages_when_failing_closed(pair: Pair) -> None:
    world = pair.world
    world.message_moderator.down = True
    send = await world.get(SendMessage)
    closed = replace(send, policy=ModerationPolicy(fail_closed=True))
    with pytest.raises(Unavailable) as caught:
        await closed(pair.ada, pair.match_id, "Hi", "k1")
    assert caught.value.code == "moderation_unavailable"
    assert world.events(MessageSent) == []


async def test_read_receipts_follow_the_senders_entitlement(world: FakeWorld, pair: Pair) -> None:
    sent = await _send(world, pair.ada, pair, "Hi")
    await (await world.get(MarkRead))(pair.bo, pair.match_id, sent.message.id)
    # Decided when publishing: a Free sender's devices never get the receipt, the
    # reader's own devices always do.
    assert not [e for e in world.fanout.to(pair.ada.user_id) if isinstance(e, MessagesRead)]
    [read] = [e for e in world.fanout.to(pair.bo.user_id) if isinstance(e, MessagesRead)]
    assert read.up_to_message_id == sent.message.id
    list_messages = await world.get(ListMessages)
    free = await list_messages(pair.ada, pair.match_id, None, None)
    assert [(m.status, m.read_at) for m in free.items] == [("delivered", None)]
    premium = await list_messages(replace(pair.ada, tier=Tier.PREMIUM), pair.match_id, None, None)
    assert premium.items[0].status == "read"
    assert premium.items[0].read_at is not None
    # The reader always sees what they read.
    assert (await list_messages(pair.bo, pair.match_id, None, None)).items[0].status == "read"


async def test_marking_read_needs_a_message_of_that_conversation(
    world: FakeWorld, pair: Pair
) -> None:
    with pytest.raises(NotFound) as caught:
        await (await world.get(MarkRead))(pair.bo, pair.match_id, uuid.uuid4())
    assert caught.value.code == "message_not_found"


async def test_the_inbox_lists_open_conversations_with_unread_counts(
    world: FakeWorld, pair: Pair
) -> None:
    await _send(world, pair.ada, pair, "one", key="1")
    world.clock.advance(timedelta(seconds=1))
    last = await _send(world, pair.ada, pair, "two", key="2")
    page = await (await world.get(ListConversations))(pair.bo, None)
    [item] = page.items
    assert item.match_id == pair.match_id
    assert item.member.user_id == pair.ada.user_id
    assert item.last_message == last.message
    assert item.unread_count == 2
    ada_page = await (await world.get(ListConversations))(pair.ada, None)
    assert ada_page.items[0].member.display_name == "Bo"
    assert ada_page.items[0].unread_count == 0


async def test_delivery_is_noted_once_and_told_to_the_sender(world: FakeWorld, pair: Pair) -> None:
    sent = await _send(world, pair.ada, pair, "Hi")
    acknowledge = await world.get(AcknowledgeDelivery)
    receipt = DeliveryReceipt(sent.message.id, pair.bo.user_id)
    assert await acknowledge([receipt]) == [sent.message.id]
    assert await acknowledge([receipt]) == []
    assert await acknowledge([DeliveryReceipt(sent.message.id, pair.cy.user_id)]) == []
    assert await acknowledge([]) == []
    delivered = [e for e in world.fanout.to(pair.ada.user_id) if isinstance(e, MessageDelivered)]
    assert len(delivered) == 1
    assert delivered[0].message_id == sent.message.id
    assert delivered[0].match_id == pair.match_id


async def test_a_batch_of_receipts_tells_each_sender_once_per_message(
    world: FakeWorld, pair: Pair
) -> None:
    first = await _send(world, pair.ada, pair, "one", key="1")
    second = await _send(world, pair.ada, pair, "two", key="2")
    reply = await _send(world, pair.bo, pair, "three", key="3")
    receipts = [
        DeliveryReceipt(first.message.id, pair.bo.user_id),
        DeliveryReceipt(first.message.id, pair.bo.user_id),  # two devices
        DeliveryReceipt(second.message.id, pair.bo.user_id),
        DeliveryReceipt(reply.message.id, pair.ada.user_id),
    ]
    noted = await (await world.get(AcknowledgeDelivery))(receipts)
    assert sorted(noted) == sorted([first.message.id, second.message.id, reply.message.id])
    to_ada = [e for e in world.fanout.to(pair.ada.user_id) if isinstance(e, MessageDelivered)]
    to_bo = [e for e in world.fanout.to(pair.bo.user_id) if isinstance(e, MessageDelivered)]
    assert sorted(e.message_id for e in to_ada) == sorted([first.message.id, second.message.id])
    assert [e.message_id for e in to_bo] == [reply.message.id]


async def test_catch_up_sends_what_was_missed_in_order(world: FakeWorld, pair: Pair) -> None:
    ids = []
    for n in range(4):
        world.clock.advance(timedelta(seconds=1))
        ids.append((await _send(world, pair.ada, pair, f"m{n}", key=f"k{n}")).message.id)
    missed = await (await world.get(CatchUp))(pair.bo, ids[0])
    assert [m.id for m in missed] == ids[1:]
    with pytest.raises(NotFound):
        await (await world.get(CatchUp))(pair.cy, ids[0])


async def test_typing_reaches_the_other_member_only(world: FakeWorld, pair: Pair) -> None:
    await (await world.get(SendTyping))(pair.ada, pair.match_id)
    assert world.fanout.to(pair.bo.user_id) == [
        Typing(match_id=pair.match_id, member_id=pair.ada.user_id)
    ]
    assert world.fanout.to(pair.ada.user_id) == []
    with pytest.raises(NotFound):
        await (await world.get(SendTyping))(pair.cy, pair.match_id)


async def test_matchings_events_open_and_close_conversations_live(
    world: FakeWorld, pair: Pair
) -> None:
    ada, bo = pair.ada.user_id, pair.bo.user_id
    outbox_events = [
        MatchCreated(match_id=pair.match_id, user_a=ada, user_b=bo),
        Unmatched(match_id=pair.match_id, user_a=ada, user_b=bo, by=ada),
    ]
    from saltbitter.application.ports.events import Outbox
    from saltbitter.application.ports.transaction import Transaction

    async with world.container() as scope:
        tx = await scope.get(Transaction)
        outbox = await scope.get(Outbox)
        async with tx:
            for event in outbox_events:
                outbox.add(event)
            await tx.commit()
    await world.deliver_jobs(
        only={"conversations.announce_match", "conversations.close_conversation"}
    )
    assert world.fanout.to(ada) == [
        MatchNew(match_id=pair.match_id, member_id=bo),
        ConversationClosed(match_id=pair.match_id),
    ]
    assert world.fanout.to(bo)[0] == MatchNew(match_id=pair.match_id, member_id=ada)


async def test_messages_sent_while_moderation_was_down_are_screened_later(
    world: FakeWorld, pair: Pair
) -> None:
    world.message_moderator.down = True
    await _send(world, pair.ada, pair, "buy me gift cards", key="scam")
    await _send(world, pair.ada, pair, "see you at eight", key="fine")
    screen = await world.get(ScreenUnscreenedMessages)
    assert await screen() == 0  # still down: nothing changes
    world.message_moderator.down = False
    assert await screen() == 2
    assert await screen() == 0
    [held] = world.events(MessageHeld)
    assert held.decision == "hold"
    bo_sees = await (await world.get(ListMessages))(pair.bo, pair.match_id, None, None)
    assert [m.body for m in bo_sees.items] == ["see you at eight"]


def _moderator(world: FakeWorld) -> Principal:
    moderator = a_user()
    world.database[AccountsState].users[moderator.id] = moderator
    return Principal(
        moderator.id, SessionId(uuid.uuid4()), frozenset({Role.MODERATOR}), Tier.FREE, True
    )


async def _held_and_queued(world: FakeWorld, pair: Pair, key: str = "scam") -> MessageView:
    held = await _send(world, pair.ada, pair, "Please buy me gift cards, I need money", key)
    assert held.message.status == "held"
    await world.deliver_jobs()  # safety queues it
    world.fanout.pushed.clear()
    return held.message


async def test_a_dismissed_held_message_is_released_to_its_recipient_once(
    world: FakeWorld, pair: Pair
) -> None:
    message = await _held_and_queued(world, pair)
    resolve = await world.get(ResolveHeldMessage)
    await resolve(_moderator(world), message.id, "dismiss", None, "A joke between friends")
    [released] = world.events(HeldMessageReleased)
    assert released.message_id == message.id
    await (await world.get(RelayOutbox))()
    world.queue.jobs = world.queue.jobs * 2  # at-least-once: the event arrives twice
    ran = await world.deliver_jobs()
    assert ran.count(topics.RELEASE_HELD_MESSAGE) == 2

    bo_sees = await (await world.get(ListMessages))(pair.bo, pair.match_id, None, None)
    assert [(m.id, m.status) for m in bo_sees.items] == [(message.id, "sent")]
    pushed = [e for e in world.fanout.to(pair.bo.user_id) if isinstance(e, MessageNew)]
    assert [e.message.id for e in pushed] == [message.id]  # pushed once, not twice
    assert [e.message.status for e in pushed] == ["sent"]
    assert world.fanout.to(pair.ada.user_id) == world.fanout.to(pair.bo.user_id)
    inbox = await (await world.get(ListConversations))(pair.bo, None)
    assert inbox.items[0].unread_count == 1
    # Delivery and resume treat it as any delivered message from now on.
    acknowledged = await (await world.get(AcknowledgeDelivery))(
        [DeliveryReceipt(message.id, pair.bo.user_id)]
    )
    assert acknowledged == [message.id]


@pytest.mark.parametrize("action", ["warn", "suspend", "ban"])
async def test_other_decisions_keep_a_held_message_hidden(
    world: FakeWorld, pair: Pair, action: str
) -> None:
    message = await _held_and_queued(world, pair)
    days = 3 if action == "suspend" else None
    await (await world.get(ResolveHeldMessage))(_moderator(world), message.id, action, days, "No")
    await world.deliver_jobs()
    assert world.events(HeldMessageReleased) == []
    bo_sees = await (await world.get(ListMessages))(pair.bo, pair.match_id, None, None)
    assert bo_sees.items == []
    assert not [e for e in world.fanout.to(pair.bo.user_id) if isinstance(e, MessageNew)]


async def test_a_message_released_after_the_conversation_closed_stays_hidden(
    world: FakeWorld, pair: Pair
) -> None:
    message = await _held_and_queued(world, pair)
    pair.unmatch()
    await (await world.get(ResolveHeldMessage))(
        _moderator(world), message.id, "dismiss", None, "Ok"
    )
    await world.deliver_jobs()
    assert world.fanout.pushed == []


async def test_a_premium_sender_is_told_live_that_their_message_was_read(
    world: FakeWorld, pair: Pair
) -> None:
    users = world.database[AccountsState].users
    users[pair.ada.user_id] = replace(users[pair.ada.user_id], tier=Tier.PREMIUM)
    sent = await _send(world, pair.ada, pair, "Hi")
    await (await world.get(MarkRead))(pair.bo, pair.match_id, sent.message.id)
    [read] = [e for e in world.fanout.to(pair.ada.user_id) if isinstance(e, MessagesRead)]
    assert (read.reader_id, read.up_to_message_id) == (pair.bo.user_id, sent.message.id)


async def test_catch_up_reads_the_conversations_once_for_all_missed_messages(
    world: FakeWorld, pair: Pair
) -> None:
    other = uuid.uuid4()
    world.database[MatchingState].matches[other] = StoredMatch(
        other, MatchPair(pair.cy.user_id, pair.bo.user_id), world.clock.now()
    )
    first = await _send(world, pair.ada, pair, "first", key="a0")
    expected = []
    for n in range(6):
        world.clock.advance(timedelta(seconds=1))
        who, match_id = (pair.ada, pair.match_id) if n % 2 else (pair.cy, other)
        sent = await (await world.get(SendMessage))(who, match_id, f"m{n}", f"k{n}")
        expected.append(sent.message.id)
    catch_up = await world.get(CatchUp)
    reads: list[frozenset[uuid.UUID]] = []
    original = catch_up.access.conversations

    async def counting(match_ids):  # type: ignore[no-untyped-def]
        reads.append(frozenset(match_ids))
        return await original(match_ids)

    object.__setattr__(catch_up.access, "conversations", counting)
    missed = await catch_up(pair.bo, first.message.id)
    assert [m.id for m in missed] == expected
    assert reads == [frozenset({pair.match_id, other})]
    # A closed conversation's messages are skipped, the open one's still come.
    pair.unmatch()
    missed = await (await world.get(CatchUp))(pair.bo, first.message.id)
    assert [m.match_id for m in missed] == [other] * 3


JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64  # sniffed as JPEG; the fake processor re-encodes


async def _send_photo(  # type: ignore[no-untyped-def]
    world: FakeWorld, who: Principal, pair: Pair, key: str = "p1", caption: str | None = None
):
    send = await world.get(SendPhotoMessage)
    return await send(who, pair.match_id, JPEG, caption, key)


async def test_a_photo_message_goes_through_the_photo_pipeline_once(
    world: FakeWorld, pair: Pair
) -> None:
    sent = await _send_photo(world, pair.ada, pair, caption="  Look  ")
    assert sent.created
    assert sent.message.body == "Look"
    attachment = sent.message.attachment
    assert attachment is not None
    assert (attachment.kind, attachment.width, attachment.height) == ("photo", 800, 1000)
    assert attachment.expires_at == world.clock.now() + timedelta(seconds=900)
    [(key, (data, content_type))] = world.store.blobs.items()
    assert key == f"{pair.ada.user_id}/messages/{sent.message.id}.jpg"
    assert (data, content_type) == (b"re-encoded:" + JPEG, "image/jpeg")
    assert world.processor.calls == 1
    assert len(world.moderator.screened) == 1
    assert world.fanout.to(pair.bo.user_id) == [MessageNew(message=sent.message)]

    again = await _send_photo(world, pair.ada, pair)
    assert not again.created
    assert again.message.id == sent.message.id
    assert world.processor.calls == 1  # a retry is answered before any image work
    assert len(world.store.blobs) == 1

    history = await (await world.get(ListMessages))(pair.bo, pair.match_id, None, None)
    [item] = history.items
    assert item.attachment is not None
    assert item.attachment.url.startswith("memory://photos/")
    link = await (await world.get(GetMessagePhoto))(pair.bo, pair.match_id, sent.message.id)
    assert link.kind == "photo"
    with pytest.raises(NotFound) as stranger:
        await (await world.get(GetMessagePhoto))(pair.cy, pair.match_id, sent.message.id)
    assert stranger.value.code == "match_not_found"
    pair.unmatch()
    with pytest.raises(NotFound) as closed:
        await (await world.get(GetMessagePhoto))(pair.bo, pair.match_id, sent.message.id)
    assert closed.value.code == "conversation_closed"


async def test_a_refused_picture_stores_nothing(world: FakeWorld, pair: Pair) -> None:
    world.moderator.reject_with("explicit_content", "Nudity is not allowed.")
    with pytest.raises(ValidationFailed) as refused:
        await _send_photo(world, pair.ada, pair)
    assert (refused.value.errors[0].field, refused.value.errors[0].code) == (
        "file",
        "explicit_content",
    )
    send = await world.get(SendPhotoMessage)
    with pytest.raises(ValidationFailed):
        await send(pair.ada, pair.match_id, b"not an image", None, "p2")
    assert world.store.blobs == {}
    assert world.events(MessageSent) == []


async def test_a_picture_whose_message_is_not_stored_is_removed(
    world: FakeWorld, pair: Pair
) -> None:
    send = await world.get(SendPhotoMessage)
    original = send.access.lock

    async def closed_meanwhile(match_id: uuid.UUID):  # type: ignore[no-untyped-def]
        # An unmatch committed after the first check, before the message is stored.
        found = await original(match_id)
        return replace(found, is_open=False)

    object.__setattr__(send.access, "lock", closed_meanwhile)
    with pytest.raises(NotFound) as closed:
        await send(pair.ada, pair.match_id, JPEG, None, "p3")
    assert closed.value.code == "conversation_closed"
    assert world.processor.calls == 1  # the picture was processed and stored ...
    assert world.store.blobs == {}  # ... and removed again


async def test_a_scam_caption_holds_the_photo_for_review(world: FakeWorld, pair: Pair) -> None:
    sent = await _send_photo(world, pair.ada, pair, caption="Please buy me gift cards for rent")
    assert sent.message.status == "held"
    assert world.fanout.to(pair.bo.user_id) == []
    with pytest.raises(NotFound) as hidden:
        await (await world.get(GetMessagePhoto))(pair.bo, pair.match_id, sent.message.id)
    assert hidden.value.code == "message_not_found"
