"""Forgotten passwords: a mailed code, then a new password that closes every session."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.accounts.events import PasswordResetRequested
from saltbitter.application.accounts.registration import SendOneTimeCode, redeem_code
from saltbitter.application.ports.security import PasswordHasher
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.unit_of_work import UnitOfWork
from saltbitter.domain.accounts import (
    AccountStatus,
    CodePurpose,
    EmailAddress,
    invalid_code,
    password_problems,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.shared import UserId

__all__ = ["ConfirmPasswordReset", "RequestPasswordReset", "SendPasswordResetCode"]


@dataclass(frozen=True, slots=True)
class RequestPasswordReset:
    """Queue a reset code; the answer never reveals whether the email has an account."""

    uow: UnitOfWork

    async def __call__(self, raw_email: str) -> None:
        try:
            email = EmailAddress.parse(raw_email)
        except ValidationFailed:
            return
        async with self.uow as uow:
            user = await uow.users.get_by_email(email)
            if user is None or user.status not in (
                AccountStatus.ACTIVE,
                AccountStatus.PENDING_VERIFICATION,
            ):
                return
            uow.outbox.add(PasswordResetRequested(user_id=user.id))
            await uow.commit()


@dataclass(frozen=True, slots=True)
class SendPasswordResetCode:
    """Job for ``accounts.password_reset_requested``."""

    sender: SendOneTimeCode

    async def __call__(self, user_id: UserId) -> bool:
        return await self.sender.send(user_id, CodePurpose.PASSWORD_RESET)


@dataclass(frozen=True, slots=True)
class ConfirmPasswordReset:
    """Set a new password with a valid code and revoke every session of the account.

    Receiving the code proves control of the mailbox, so a pending account also counts
    as verified afterwards.
    """

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock

    async def __call__(self, raw_email: str, code: str, new_password: str) -> None:
        problems = password_problems(new_password, field="new_password")
        if problems:
            raise ValidationFailed(problems)
        email = EmailAddress.parse(raw_email)
        now = self.clock.now()
        async with self.uow as uow:
            user = await uow.users.get_by_email(email)
            if user is None:
                raise invalid_code()
            accepted = await redeem_code(uow.codes, user.id, CodePurpose.PASSWORD_RESET, code, now)
            if accepted:
                user.password_hash = await self.hasher.hash(new_password)
                user.mark_email_verified(now)
                await uow.users.save(user)
                await uow.sessions.revoke_all(user.id, now)
            await uow.commit()
        if not accepted:
            raise invalid_code()
