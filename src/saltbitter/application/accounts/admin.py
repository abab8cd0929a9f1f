"""Operator views and tools for accounts (CLI only, never exposed over HTTP)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from saltbitter.application.ports.accounts import ConsentLedger, SessionRepository, UserRepository
from saltbitter.application.ports.security import PasswordHasher
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.accounts import (
    AccountStatus,
    ConsentPurpose,
    ConsentRecord,
    EmailAddress,
    User,
)
from saltbitter.domain.errors import NotFound
from saltbitter.domain.shared import Tier, UserId

__all__ = [
    "DEMO_PASSWORD",
    "AccountSummary",
    "DemoAccount",
    "DemoAccounts",
    "SeedDemoMembers",
    "ShowAccount",
]


@dataclass(frozen=True, slots=True)
class AccountSummary:
    user_id: UserId
    email: str
    display_name: str
    status: AccountStatus
    tier: str
    roles: list[str]
    timezone: str
    created_at: datetime
    email_verified_at: datetime | None
    active_sessions: int
    consents: dict[str, bool]


@dataclass(frozen=True, slots=True)
class ShowAccount:
    """Everything an operator may see about one account; never the password hash."""

    users: UserRepository
    sessions: SessionRepository
    consents: ConsentLedger

    async def __call__(self, raw_email: str) -> AccountSummary:
        email = EmailAddress.parse(raw_email)
        user = await self.users.get_by_email(email)
        if user is None:
            raise NotFound("No account with this email.", code="user_not_found")
        sessions = await self.sessions.list_active(user.id)
        history = await self.consents.history(user.id)
        current: dict[str, bool] = {}
        for record in history:  # oldest first, so the latest decision wins
            current[record.purpose.value] = record.granted
        return AccountSummary(
            user_id=user.id,
            email=user.email.value,
            display_name=user.display_name,
            status=user.status,
            tier=user.tier.value,
            roles=sorted(role.value for role in user.roles),
            timezone=user.timezone,
            created_at=user.created_at,
            email_verified_at=user.email_verified_at,
            active_sessions=len(sessions),
            consents=current,
        )


DEMO_PASSWORD = "saltbitter-demo-2026"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One demo member's account as planned (see ``saltbitter.application.demo``)."""

    email: str
    display_name: str
    birthdate: date
    timezone: str
    tier: Tier = Tier.FREE


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    """Every requested demo account's id (new and existing) and the emails created now."""

    user_ids: dict[str, UserId]
    created: list[str]


@dataclass(frozen=True, slots=True)
class SeedDemoMembers:
    """Create the given demo accounts, verified and sharing ``DEMO_PASSWORD``, unless present.

    An account whose email exists is left exactly as it is (idempotent). The password is
    hashed once for the whole batch: argon2 is deliberately slow, and demo accounts share
    one password so that a newcomer can sign in as any of them.
    """

    transaction: Transaction
    users: UserRepository
    consents: ConsentLedger
    hasher: PasswordHasher
    clock: Clock
    ids: IdGenerator

    async def __call__(self, accounts: Sequence[DemoAccount]) -> DemoAccounts:
        now = self.clock.now()
        user_ids: dict[str, UserId] = {}
        missing: list[tuple[EmailAddress, DemoAccount]] = []
        for account in accounts:
            email = EmailAddress.parse(account.email)
            existing = await self.users.get_by_email(email)
            if existing is None:
                missing.append((email, account))
            else:
                user_ids[email.value] = existing.id
        if not missing:
            return DemoAccounts(user_ids, [])
        password_hash = await self.hasher.hash(DEMO_PASSWORD)
        created: list[str] = []
        async with self.transaction:
            for email, account in missing:
                user = User(
                    id=UserId(self.ids.new_id()),
                    email=email,
                    display_name=account.display_name,
                    birthdate=account.birthdate,
                    timezone=account.timezone,
                    password_hash=password_hash,
                    created_at=now,
                    status=AccountStatus.ACTIVE,
                    email_verified_at=now,
                    tier=account.tier,
                )
                self.users.add(user)
                for purpose in (ConsentPurpose.TERMS, ConsentPurpose.PRIVACY):
                    self.consents.append(ConsentRecord(user.id, purpose, True, "demo", now))
                user_ids[email.value] = user.id
                created.append(email.value)
            await self.transaction.commit()
        return DemoAccounts(user_ids, created)
