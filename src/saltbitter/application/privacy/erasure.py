"""The erasure (GDPR Art. 17, docs/privacy.md): accounts whose 30-day grace period is
over, or an operator's ``users erase EMAIL --now``, are erased from every capability.

Exactly once: the daily job claims due accounts in one committed update (two workers
racing get disjoint sets); each claimed account is then erased by ``EraseAccount``,
which re-checks its claim under a row lock inside the erasure transaction. A worker that
dies mid-way leaves a claim that lapses after ``ERASURE_CLAIM_LEASE``; the next run
takes it again, and every step is harmless to repeat.

Order for one account: the payment provider's customer first (if the provider is down
the erasure waits for the next run instead of leaving a customer behind), then every
capability's rows plus outbox messages naming the member in one transaction, then
(after the commit) the blobs and cache keys, whose loss cannot be rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.erasure import ErasureSchedule, OutboxPurge, PaymentCustomers
from saltbitter.application.ports.payments import PaymentGateway
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.privacy import (
    BlobStore,
    ErasureReport,
    PersonalData,
    PersonalDataHolders,
)
from saltbitter.application.ports.privacy_rights import ExportArchives
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import EmailAddress
from saltbitter.domain.errors import NotFound, ValidationFailed
from saltbitter.domain.shared import UserId

__all__ = [
    "ERASE_DUE_ACCOUNTS",
    "ERASURE_CLAIM_LEASE",
    "ClaimDueErasures",
    "ClaimErasureNow",
    "Claimed",
    "EraseAccount",
    "ErasureOutcome",
]

ERASE_DUE_ACCOUNTS: Final = "privacy.erase_due_accounts"
"""The daily job's name."""

ERASURE_CLAIM_LEASE = timedelta(hours=1)
"""How long a claim protects an account from other workers; far longer than an erasure."""


@dataclass(frozen=True, slots=True)
class Claimed:
    members: Sequence[UserId]
    claimed_at: datetime


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    member: UserId
    rows: int
    blobs: int
    cache_keys: int
    customers: int
    outbox_messages: int


@dataclass(frozen=True, slots=True)
class ClaimDueErasures:
    """The accounts whose grace period is over, claimed for this worker."""

    transaction: Transaction
    schedule: ErasureSchedule
    clock: Clock

    async def __call__(self) -> Claimed:
        now = self.clock.now()
        async with self.transaction:
            members = await self.schedule.claim_due(now, ERASURE_CLAIM_LEASE)
            await self.transaction.commit()
        return Claimed(tuple(members), now)


@dataclass(frozen=True, slots=True)
class ClaimErasureNow:
    """An operator's erasure without grace period: the account is deactivated, due and
    claimed at once."""

    transaction: Transaction
    users: UserRepository
    schedule: ErasureSchedule
    clock: Clock

    async def __call__(self, raw_email: str) -> Claimed:
        try:
            email = EmailAddress.parse(raw_email)
        except ValidationFailed:
            raise NotFound("No account has this email.", code="user_not_found") from None
        now = self.clock.now()
        async with self.transaction:
            user = await self.users.get_by_email(email)
            if user is None or not await self.schedule.claim_now(user.id, now):
                raise NotFound("No account has this email.", code="user_not_found")
            await self.transaction.commit()
        return Claimed((user.id,), now)


@dataclass(frozen=True, slots=True)
class EraseAccount:
    """Erase one claimed account everywhere; None when the claim is no longer held
    (another worker finished it)."""

    transaction: Transaction
    schedule: ErasureSchedule
    holders: PersonalDataHolders
    outbox_purge: OutboxPurge
    customers: PaymentCustomers
    gateway: PaymentGateway
    blobs: PhotoStore
    archives: ExportArchives
    cache: Cache

    async def __call__(self, member: UserId, claimed_at: datetime) -> ErasureOutcome | None:
        customers = await self.customers.customer_ids(member)
        for customer in customers:
            await self.gateway.delete_customer(customer)
        async with self.transaction:
            if not await self.schedule.holds_claim(member, claimed_at):
                return None
            reports = [await holder.erase(member) for holder in self.holders.holders]
            purged = await self.outbox_purge.purge_naming(member)
            await self.transaction.commit()
        declarations = [holder.declaration for holder in self.holders.holders]
        blobs = await self._erase_blobs(member, declarations, reports)
        cache_keys = [
            template.format(member=member)
            for declaration in declarations
            for template in declaration.cache_keys
        ]
        if cache_keys:
            await self.cache.delete(*cache_keys)
        return ErasureOutcome(
            member=member,
            rows=sum(sum(report.rows.values()) for report in reports),
            blobs=blobs,
            cache_keys=len(cache_keys),
            customers=len(customers),
            outbox_messages=purged,
        )

    async def _erase_blobs(
        self, member: UserId, declarations: Sequence[PersonalData], reports: Sequence[ErasureReport]
    ) -> int:
        """Delete the reported keys and everything under the declared prefixes, each in
        the store its declaration names; returns how many keys went."""
        stores: dict[BlobStore, PhotoStore | ExportArchives] = {
            BlobStore.PHOTOS: self.blobs,
            BlobStore.EXPORTS: self.archives,
        }
        keys: dict[BlobStore, set[str]] = {store: set() for store in stores}
        for declaration, report in zip(declarations, reports, strict=True):
            for table, reported in report.blob_keys.items():
                keys[declaration.table(table).blob_store].update(reported)
            for prefix in declaration.blob_prefixes:
                async for page in stores[prefix.store].list_blobs(prefix.for_member(member)):
                    keys[prefix.store].update(blob.key for blob in page)
        for store, found in keys.items():
            for key in sorted(found):
                await stores[store].delete(key)
        return sum(len(found) for found in keys.values())
