"""Operator views and tools for accounts (CLI only, never exposed over HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from saltbitter.application.ports.security import PasswordHasher
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.domain.accounts import (
    AccountStatus,
    ConsentPurpose,
    ConsentRecord,
    EmailAddress,
    User,
)
from saltbitter.domain.errors import NotFound
from saltbitter.domain.shared import UserId

__all__ = ["AccountSummary", "SeedDemoMembers", "ShowAccount"]


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

    uow: UnitOfWork

    async def __call__(self, raw_email: str) -> AccountSummary:
        email = EmailAddress.parse(raw_email)
        async with self.uow as uow:
            user = await uow.users.get_by_email(email)
            if user is None:
                raise NotFound("No account with this email.", code="user_not_found")
            sessions = await uow.sessions.list_active(user.id)
            history = await uow.consents.history(user.id)
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
_DEMO_NAMES = (
    "Ada", "Bo", "Chen", "Dara", "Emeka", "Farah", "Gus", "Hana", "Ivo", "Jun",
    "Kemi", "Luca", "Mina", "Noor", "Oskar", "Priya", "Quinn", "Rafa", "Sofia", "Tariq",
)  # fmt: skip
_DEMO_TIMEZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Singapore")


@dataclass(frozen=True, slots=True)
class SeedDemoMembers:
    """Create ``count`` verified demo members (``demo-N@saltbitter.test``) unless present.

    All share one password so a newcomer can sign in; later capabilities add profiles,
    photos, assessments and likes to them.
    """

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock
    ids: IdGenerator

    async def __call__(self, count: int) -> list[str]:
        now = self.clock.now()
        password_hash = await self.hasher.hash(DEMO_PASSWORD)
        created: list[str] = []
        async with self.uow as uow:
            for number in range(1, count + 1):
                email = EmailAddress.parse(f"demo-{number}@saltbitter.test")
                if await uow.users.get_by_email(email) is not None:
                    continue
                user = User(
                    id=UserId(self.ids.new_id()),
                    email=email,
                    display_name=_DEMO_NAMES[(number - 1) % len(_DEMO_NAMES)],
                    birthdate=date(1980 + number % 20, 1 + number % 12, 1 + number % 28),
                    timezone=_DEMO_TIMEZONES[number % len(_DEMO_TIMEZONES)],
                    password_hash=password_hash,
                    created_at=now,
                    status=AccountStatus.ACTIVE,
                    email_verified_at=now,
                )
                uow.users.add(user)
                for purpose in (ConsentPurpose.TERMS, ConsentPurpose.PRIVACY):
                    uow.consents.append(ConsentRecord(user.id, purpose, True, "demo", now))
                created.append(email.value)
            await uow.commit()
        return created
