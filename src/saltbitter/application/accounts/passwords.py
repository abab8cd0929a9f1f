"""Forgotten passwords: a mailed code, then a new password that closes every session."""

from __future__ import annotations

from dataclasses import dataclass

from saltbitter.application.accounts.events import PasswordResetRequested
from saltbitter.application.accounts.registration import SendOneTimeCode, redeem_code
from saltbitter.application.ports.accounts import (
    OneTimeCodeRepository,
    SessionRepository,
    UserRepository,
)
from saltbitter.application.ports.events import Outbox
from saltbitter.application.ports.security import PasswordHasher
from saltbitter.application.ports.system import Clock
from saltbitter.application.ports.transaction import Transaction
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

    transaction: Transaction
    users: UserRepository
    outbox: Outbox

    async def __call__(self, raw_email: str) -> None:
        try:
            email = EmailAddress.parse(raw_email)
        except ValidationFailed:
            return
        async with self.transaction:
            user = await self.users.get_by_email(email)
            # A member awaiting erasure may reset too: signing in is how they cancel.
            if user is None or user.status not in (
                AccountStatus.ACTIVE,
                AccountStatus.PENDING_VERIFICATION,
                AccountStatus.PENDING_DELETION,
            ):
                return
            self.outbox.add(PasswordResetRequested(user_id=user.id))
            await self.transaction.commit()


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

    transaction: Transaction
    users: UserRepository
    sessions: SessionRepository
    codes: OneTimeCodeRepository
    hasher: PasswordHasher
    clock: Clock

    async def __call__(self, raw_email: str, code: str, new_password: str) -> None:
        problems = password_problems(new_password, field="new_password")
        if problems:
            raise ValidationFailed(problems)
        email = EmailAddress.parse(raw_email)
        now = self.clock.now()
        async with self.transaction:
            user = await self.users.get_by_email(email)
            if user is None:
                raise invalid_code()
            accepted = await redeem_code(self.codes, user.id, CodePurpose.PASSWORD_RESET, code, now)
            if accepted:
                user.password_hash = await self.hasher.hash(new_password)
                user.mark_email_verified(now)
                await self.users.save(user)
                await self.sessions.revoke_all(user.id, now)
            await self.transaction.commit()
        if not accepted:
            raise invalid_code()
