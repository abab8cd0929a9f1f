"""SQL adapters of the payments capability's ports, each on the request's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Row, select, update
from sqlalchemy.dialects import postgresql, sqlite

from saltbitter.adapters.sqlalchemy.staging import CONFLICTS, StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_payments import (
    payment_subscriptions,
    payment_webhook_events,
)
from saltbitter.application.ports.payments import (
    MemberContacts,
    MemberTiers,
    SubscriptionRecord,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import SubscriptionState

__all__ = [
    "SqlaMemberContacts",
    "SqlaMemberTiers",
    "SqlaSubscriptionStore",
    "SqlaWebhookLedger",
]

_T = payment_subscriptions

CONFLICTS["uq_payment_subscriptions_user_id"] = (
    "A payment record already exists.",
    "payment_record_taken",
)
CONFLICTS["uq_payment_subscriptions_subscription_id"] = (
    "A payment record already exists.",
    "payment_record_taken",
)


def _record(row: Row[Any]) -> SubscriptionRecord:
    return SubscriptionRecord(
        member=UserId(row.user_id),
        customer_id=row.customer_id,
        subscription_id=row.subscription_id,
        state=SubscriptionState(row.state),
        tier=Tier(row.tier),
        current_period_end=row.current_period_end,
        grace_deadline=row.grace_deadline,
        scheduled_tier=Tier(row.scheduled_tier) if row.scheduled_tier else None,
        observed_at=row.observed_at,
        updated_at=row.updated_at,
    )


def _values(record: SubscriptionRecord) -> dict[str, Any]:
    return {
        "customer_id": record.customer_id,
        "user_id": record.member,
        "subscription_id": record.subscription_id,
        "state": record.state.value,
        "tier": record.tier.value,
        "current_period_end": record.current_period_end,
        "grace_deadline": record.grace_deadline,
        "scheduled_tier": record.scheduled_tier.value if record.scheduled_tier else None,
        "observed_at": record.observed_at,
        "updated_at": record.updated_at,
    }


class SqlaSubscriptionStore(SubscriptionStore):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def _one(self, statement: Executable) -> SubscriptionRecord | None:
        row = (await self._db.execute(statement)).first()
        return _record(row) if row is not None else None

    async def for_member(self, member: UserId) -> SubscriptionRecord | None:
        return await self._one(select(_T).where(_T.c.user_id == member))

    async def for_customer(self, customer_id: str) -> SubscriptionRecord | None:
        return await self._one(
            select(_T).where(_T.c.customer_id == customer_id, _T.c.user_id.is_not(None))
        )

    async def for_update(self, member: UserId) -> SubscriptionRecord | None:
        statement = select(_T).where(_T.c.user_id == member)
        if self._db.dialect_name == "postgresql":
            statement = statement.with_for_update()
        return await self._one(statement)

    async def save(self, record: SubscriptionRecord) -> None:
        values = _values(record)
        changes = {key: value for key, value in values.items() if key != "customer_id"}
        statement: Executable
        if self._db.dialect_name == "postgresql":
            pg = postgresql.insert(_T).values(values)
            statement = pg.on_conflict_do_update(index_elements=["customer_id"], set_=changes)
        else:
            lite = sqlite.insert(_T).values(values)
            statement = lite.on_conflict_do_update(index_elements=["customer_id"], set_=changes)
        await self._db.execute(statement)

    async def linked(self, after: UserId | None, limit: int) -> Sequence[SubscriptionRecord]:
        statement = (
            select(_T)
            .where(_T.c.subscription_id.is_not(None), _T.c.user_id.is_not(None))
            .order_by(_T.c.user_id)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(_T.c.user_id > after)
        return [_record(row) for row in await self._db.execute(statement)]


class SqlaWebhookLedger(WebhookLedger):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def record(self, event_id: str, event_type: str, received_at: datetime) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING RETURNING: a concurrent delivery of the same
        id waits for the first transaction and then inserts nothing."""
        row = {"event_id": event_id, "event_type": event_type, "received_at": received_at}
        table = payment_webhook_events
        statement: Executable
        if self._db.dialect_name == "postgresql":
            pg = postgresql.insert(table).values(row)
            statement = pg.on_conflict_do_nothing(index_elements=["event_id"]).returning(
                table.c.event_id
            )
        else:
            lite = sqlite.insert(table).values(row)
            statement = lite.on_conflict_do_nothing(index_elements=["event_id"]).returning(
                table.c.event_id
            )
        return (await self._db.execute(statement)).first() is not None


class SqlaMemberTiers(MemberTiers):
    """Writes accounts' ``users.tier``: the tier Principal carries from the next request."""

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def set_tier(self, member: UserId, tier: Tier) -> None:
        await self._db.execute(update(users).where(users.c.id == member).values(tier=tier.value))
        self._db.principal_changed(member)

    async def current_tier(self, member: UserId) -> Tier | None:
        row = (await self._db.execute(select(users.c.tier).where(users.c.id == member))).first()
        return Tier(row.tier) if row is not None else None


class SqlaMemberContacts(MemberContacts):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def email_of(self, member: UserId) -> str | None:
        row = (await self._db.execute(select(users.c.email).where(users.c.id == member))).first()
        return str(row.email) if row is not None else None
