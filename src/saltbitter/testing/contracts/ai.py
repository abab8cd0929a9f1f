"""The contract of the AI capability's storage ports: the SQL adapters (SQLite in
tests/unit, PostgreSQL in tests/integration) and the in-memory fakes pass the same tests.

Subclasses provide a ``connect`` fixture: ``Connect[AiStore]``, each call a new request's
connection with the AI ports (and accounts' users and consent ledger, to seed members).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from saltbitter.application.ports.accounts import ConsentLedger, UserRepository
from saltbitter.application.ports.ai import (
    AiConsentReader,
    AiHistoryStore,
    AiQuotaCounter,
    Conversation,
    ConversationKind,
    MessageRole,
    StoredMessage,
)
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord
from saltbitter.domain.shared import UserId
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.scopes import Connect

__all__ = ["AiStorageContract", "AiStore"]

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
DAY = date(2026, 12, 7)


@dataclass(frozen=True, slots=True)
class AiStore:
    transaction: Transaction
    users: UserRepository
    ledger: ConsentLedger
    consents: AiConsentReader
    quota: AiQuotaCounter
    history: AiHistoryStore


async def _member(connect: Connect[AiStore]) -> UserId:
    user = a_user()
    async with connect() as store, store.transaction:
        store.users.add(user)
        await store.transaction.commit()
    return user.id


class AiStorageContract:
    async def test_the_latest_ai_consent_record_decides(self, connect: Connect[AiStore]) -> None:
        member = await _member(connect)
        async with connect() as store:
            assert not await store.consents.ai_features_granted(member)
        for minutes, granted in ((0, True), (1, False), (2, True)):
            async with connect() as store, store.transaction:
                store.ledger.append(
                    ConsentRecord(
                        member,
                        ConsentPurpose.AI_FEATURES,
                        granted,
                        "v1",
                        T0 + timedelta(minutes=minutes),
                    )
                )
                store.ledger.append(
                    ConsentRecord(member, ConsentPurpose.MARKETING, not granted, "v1", T0)
                )
                await store.transaction.commit()
            async with connect() as store:
                assert await store.consents.ai_features_granted(member) is granted

    async def test_quota_counts_to_the_limit_per_member_and_day(
        self, connect: Connect[AiStore]
    ) -> None:
        ada, bo = await _member(connect), await _member(connect)
        async with connect() as store, store.transaction:
            counts = [await store.quota.try_spend(ada, DAY, 3) for _ in range(4)]
            assert await store.quota.try_spend(bo, DAY, 3) == 1
            assert await store.quota.try_spend(ada, DAY + timedelta(days=1), 3) == 1
            assert await store.quota.try_spend(bo, DAY, 0) is None
            await store.transaction.commit()
        assert counts == [1, 2, 3, None]
        async with connect() as store:
            assert await store.quota.used(ada, DAY) == 3
        async with connect() as store, store.transaction:
            await store.quota.give_back(ada, DAY)
            assert await store.quota.try_spend(ada, DAY, 3) == 3
            await store.quota.give_back(bo, DAY - timedelta(days=9))  # nothing to give back
            await store.transaction.commit()
        async with connect() as store:
            assert await store.quota.used(ada, DAY) == 3
            assert await store.quota.used(bo, DAY - timedelta(days=9)) == 0

    async def test_concurrent_spending_never_passes_the_limit(
        self, connect: Connect[AiStore]
    ) -> None:
        member = await _member(connect)

        async def spend() -> int | None:
            async with connect() as store, store.transaction:
                count = await store.quota.try_spend(member, DAY, 5)
                await store.transaction.commit()
                return count

        results = await asyncio.gather(*(spend() for _ in range(8)))
        assert sorted(r for r in results if r is not None) == [1, 2, 3, 4, 5]
        assert results.count(None) == 3

    async def test_history_keeps_conversations_in_order_and_only_for_their_member(
        self, connect: Connect[AiStore]
    ) -> None:
        ada, bo = await _member(connect), await _member(connect)
        older = Conversation(uuid4(), ada, ConversationKind.PRACTICE, "shy", T0)
        newer = Conversation(uuid4(), ada, ConversationKind.PRACTICE, "shy", T0 + timedelta(1))
        coach = Conversation(uuid4(), ada, ConversationKind.COACH, None, T0)
        theirs = Conversation(uuid4(), bo, ConversationKind.PRACTICE, "shy", T0 + timedelta(2))
        async with connect() as store, store.transaction:
            for conversation in (older, newer, coach, theirs):
                store.history.start(conversation)
            for i in range(5):
                store.history.add(
                    StoredMessage(
                        uuid4(),
                        newer.id,
                        MessageRole.MEMBER if i % 2 == 0 else MessageRole.AI,
                        f"message {i}",
                        T0 + timedelta(minutes=i),
                        crisis=i == 4,
                    )
                )
            await store.transaction.commit()
        async with connect() as store:
            latest = await store.history.latest_conversation(ada, ConversationKind.PRACTICE, "shy")
            assert latest == newer
            coached = await store.history.latest_conversation(ada, ConversationKind.COACH, None)
            assert coached == coach
            assert await store.history.latest_conversation(bo, ConversationKind.COACH, None) is None
            assert await store.history.conversation(bo, newer.id) is None
            assert await store.history.conversation(ada, newer.id) == newer
            last_three = await store.history.messages(newer.id, 3)
            assert [m.body for m in last_three] == ["message 2", "message 3", "message 4"]
            assert [m.crisis for m in last_three] == [False, False, True]
            assert last_three[1].role is MessageRole.AI
            mine = await store.history.conversations(ada)
            assert mine[0].id == newer.id
            assert {c.id for c in mine} == {older.id, newer.id, coach.id}

        async with connect() as store, store.transaction:
            assert not await store.history.delete(bo, newer.id)
            assert await store.history.delete(ada, newer.id)
            await store.transaction.commit()
        async with connect() as store:
            assert await store.history.messages(newer.id, 10) == []
            assert {c.id for c in await store.history.conversations(ada)} == {older.id, coach.id}
        async with connect() as store, store.transaction:
            assert await store.history.delete_all(ada) == 2
            await store.transaction.commit()
        async with connect() as store:
            assert await store.history.conversations(ada) == []
            assert [c.id for c in await store.history.conversations(bo)] == [theirs.id]

    async def test_leaving_without_commit_keeps_nothing(self, connect: Connect[AiStore]) -> None:
        member = await _member(connect)
        conversation = Conversation(uuid4(), member, ConversationKind.COACH, None, T0)
        async with connect() as store, store.transaction:
            store.history.start(conversation)
            await store.quota.try_spend(member, DAY, 5)
        async with connect() as store:
            assert await store.history.conversations(member) == []
            assert await store.quota.used(member, DAY) == 0
