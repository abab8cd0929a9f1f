"""SQL adapters of the payments capability's ports, each on the request's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Executable, Row, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from saltbitter.adapters.sqlalchemy.staging import CONFLICTS, StagedConnection
from saltbitter.adapters.sqlalchemy.tables import users
from saltbitter.adapters.sqlalchemy.tables_payments import (
    payment_subscriptions,
    payment_webhook_events,
    purchase_accounts,
    purchases,
)
from saltbitter.application.ports.payments import (
    MemberContacts,
    MemberTiers,
    PurchaseAccount,
    PurchaseAccounts,
    PurchaseRecord,
    PurchaseStore,
    SubscriptionRecord,
    SubscriptionStore,
    WebhookLedger,
)
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import (
    PurchaseItem,
    PurchaseStatus,
    SpendingCap,
    SpendingNotices,
    SubscriptionState,
)

__all__ = [
    "SqlaMemberContacts",
    "SqlaMemberTiers",
    "SqlaPurchaseAccounts",
    "SqlaPurchaseStore",
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


_P = purchases
_A = purchase_accounts


def _purchase(row: Row[Any]) -> PurchaseRecord:
    return PurchaseRecord(
        id=row.id,
        member=UserId(row.user_id),
        item=PurchaseItem(row.item),
        quantity=row.quantity,
        amount_cents=row.amount_cents,
        currency=row.currency,
        status=PurchaseStatus(row.status),
        intent_id=row.intent_id,
        event_id=row.event_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlaPurchaseStore(PurchaseStore):
    """``purchases``; anonymised rows (no member) are kept but never read back here."""

    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def _one(self, statement: Executable) -> PurchaseRecord | None:
        row = (await self._db.execute(statement)).first()
        return _purchase(row) if row is not None else None

    async def add(self, record: PurchaseRecord) -> None:
        await self._db.execute(
            _P.insert().values(
                id=record.id,
                user_id=record.member,
                item=record.item.value,
                quantity=record.quantity,
                amount_cents=record.amount_cents,
                currency=record.currency,
                status=record.status.value,
                intent_id=record.intent_id,
                event_id=record.event_id,
                created_at=record.created_at,
                updated_at=record.updated_at,
            )
        )

    async def save(self, record: PurchaseRecord) -> None:
        await self._db.execute(
            update(_P)
            .where(_P.c.id == record.id)
            .values(
                status=record.status.value,
                intent_id=record.intent_id,
                updated_at=record.updated_at,
            )
        )

    async def get(self, purchase_id: UUID) -> PurchaseRecord | None:
        return await self._one(select(_P).where(_P.c.id == purchase_id, _P.c.user_id.is_not(None)))

    async def by_intent(self, intent_id: str) -> PurchaseRecord | None:
        return await self._one(
            select(_P).where(_P.c.intent_id == intent_id, _P.c.user_id.is_not(None))
        )

    async def page(
        self, member: UserId, before: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[PurchaseRecord]:
        statement = (
            select(_P)
            .where(_P.c.user_id == member)
            .order_by(_P.c.created_at.desc(), _P.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            at, identifier = before
            statement = statement.where(
                or_(_P.c.created_at < at, and_(_P.c.created_at == at, _P.c.id < identifier))
            )
        return [_purchase(row) for row in await self._db.execute(statement)]

    async def total_cents(
        self,
        member: UserId,
        since: datetime,
        until: datetime,
        statuses: frozenset[PurchaseStatus],
    ) -> int:
        statement = select(func.coalesce(func.sum(_P.c.amount_cents), 0)).where(
            _P.c.user_id == member,
            _P.c.created_at >= since,
            _P.c.created_at < until,
            _P.c.status.in_(sorted(status.value for status in statuses)),
        )
        return int((await self._db.execute(statement)).scalar_one())

    async def succeeded_ticket(self, member: UserId, event_id: str) -> PurchaseRecord | None:
        return await self._one(
            select(_P)
            .where(
                _P.c.user_id == member,
                _P.c.event_id == event_id,
                _P.c.item == PurchaseItem.EVENT_TICKET.value,
                _P.c.status == PurchaseStatus.SUCCEEDED.value,
            )
            .order_by(_P.c.created_at)
            .limit(1)
        )


def _account(row: Row[Any]) -> PurchaseAccount:
    return PurchaseAccount(
        member=UserId(row.user_id),
        cap=SpendingCap(
            cap_cents=row.cap_cents,
            pending_cents=row.pending_cap_cents,
            pending_applies_at=row.pending_cap_applies_at,
        ),
        notices=SpendingNotices(month=row.notified_month, notified_cents=row.notified_cents),
        super_likes=row.super_likes,
        updated_at=row.updated_at,
    )


def _account_values(account: PurchaseAccount) -> dict[str, Any]:
    return {
        "cap_cents": account.cap.cap_cents,
        "pending_cap_cents": account.cap.pending_cents,
        "pending_cap_applies_at": account.cap.pending_applies_at,
        "notified_month": account.notices.month,
        "notified_cents": account.notices.notified_cents,
        "super_likes": account.super_likes,
        "updated_at": account.updated_at,
    }


class SqlaPurchaseAccounts(PurchaseAccounts):
    def __init__(self, db: StagedConnection) -> None:
        self._db = db

    async def get(self, member: UserId) -> PurchaseAccount | None:
        row = (await self._db.execute(select(_A).where(_A.c.user_id == member))).first()
        return _account(row) if row is not None else None

    async def lock(self, member: UserId, now: datetime) -> PurchaseAccount:
        """INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE: the row exists
        for every member who ever bought, and a second transaction waits on it."""
        values = {
            "user_id": member,
            "notified_cents": 0,
            "super_likes": 0,
            "updated_at": now,
        }
        statement: Executable
        if self._db.dialect_name == "postgresql":
            statement = postgresql.insert(_A).values(values).on_conflict_do_nothing()
        else:
            statement = sqlite.insert(_A).values(values).on_conflict_do_nothing()
        await self._db.execute(statement)
        query = select(_A).where(_A.c.user_id == member)
        if self._db.dialect_name == "postgresql":
            query = query.with_for_update()
        return _account((await self._db.execute(query)).one())

    async def save(self, account: PurchaseAccount) -> None:
        await self._db.execute(
            update(_A).where(_A.c.user_id == account.member).values(_account_values(account))
        )
