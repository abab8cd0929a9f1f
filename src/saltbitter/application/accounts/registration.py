"""Signing up and proving the email address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from saltbitter.application.accounts.dto import RegisterCommand, Registered, RegistrationReceived
from saltbitter.application.accounts.events import (
    RegistrationAttempted,
    VerificationRequested,
)
from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    UserRepository,
)
from saltbitter.application.ports.events import Event, Outbox
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.application.ports.security import PasswordHasher
from saltbitter.application.ports.system import Clock, IdGenerator, SecretGenerator
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.policy import AccountsPolicy
from saltbitter.domain.accounts import (
    AccountStatus,
    CodePurpose,
    ConsentPurpose,
    ConsentRecord,
    EmailAddress,
    OneTimeCode,
    User,
    check_adult,
    check_display_name,
    check_timezone,
    invalid_code,
    password_problems,
)
from saltbitter.domain.errors import Conflict, FieldError, ValidationFailed
from saltbitter.domain.shared import UserId

__all__ = [
    "RegisterUser",
    "RequestVerificationCode",
    "SendRegistrationNotice",
    "SendVerificationCode",
    "VerifyEmail",
    "redeem_code",
]


@dataclass(frozen=True, slots=True)
class RegisterUser:
    """Create a pending account for an adult who accepted terms and privacy policy.

    Every field problem is reported at once. The answer never reveals whether the
    address already has an account: then that account is left untouched and its owner
    is mailed a notice instead of a code. The consents go to the append-only ledger and
    the verification code is mailed by a job, so the code never rests anywhere in plain
    text.
    """

    transaction: Transaction
    users: UserRepository
    consents: ConsentLedger
    outbox: Outbox
    hasher: PasswordHasher
    clock: Clock
    ids: IdGenerator
    policy: AccountsPolicy

    async def __call__(self, command: RegisterCommand) -> RegistrationReceived:
        now = self.clock.now()
        errors: list[FieldError] = []
        email: EmailAddress | None = None
        try:
            email = EmailAddress.parse(command.email)
        except ValidationFailed as invalid:
            errors.extend(invalid.errors)
        if (
            email is not None
            and self.policy.allowed_email_domains
            and (email.domain not in self.policy.allowed_email_domains)
        ):
            errors.append(
                FieldError("email", "Sign-up is limited to approved domains.", "domain_not_allowed")
            )
        errors.extend(password_problems(command.password))
        for problem in (
            check_display_name(command.display_name),
            check_adult(command.birthdate, now.date()),
            check_timezone(command.timezone),
        ):
            if problem is not None:
                errors.append(problem)
        for accepted, name in (
            (command.accept_terms, "terms"),
            (command.accept_privacy, "privacy"),
        ):
            if not accepted:
                errors.append(
                    FieldError(
                        f"accept_{name}", f"Accept the {name} policy to sign up.", "required"
                    )
                )
        if errors or email is None:
            raise ValidationFailed(errors)

        # Hashed in both branches, so a taken address answers no faster than a free one.
        password_hash = await self.hasher.hash(command.password)
        try:
            await self._create(command, email, password_hash, now)
        except Conflict as conflict:
            if conflict.code != "email_taken":
                raise
            # A concurrent sign-up with the same address won the race: same answer.
            await self._notify_owner(email)
        return RegistrationReceived(email.value)

    async def _create(
        self, command: RegisterCommand, email: EmailAddress, password_hash: str, now: datetime
    ) -> None:
        async with self.transaction:
            existing = await self.users.get_by_email(email)
            if existing is not None:
                # The account stays exactly as it is; its owner hears about the attempt.
                self.outbox.add(_owner_notice(existing.id))
                await self.transaction.commit()
                return
            user = User(
                id=UserId(self.ids.new_id()),
                email=email,
                display_name=command.display_name.strip(),
                birthdate=command.birthdate,
                timezone=command.timezone,
                password_hash=password_hash,
                created_at=now,
            )
            self.users.add(user)
            for purpose, version in (
                (ConsentPurpose.TERMS, self.policy.terms_version),
                (ConsentPurpose.PRIVACY, self.policy.privacy_version),
            ):
                self.consents.append(
                    ConsentRecord(
                        user_id=user.id,
                        purpose=purpose,
                        granted=True,
                        policy_version=version,
                        recorded_at=now,
                        ip_address=command.client.ip_address,
                        user_agent=command.client.user_agent,
                    )
                )
            self.outbox.add(VerificationRequested(user_id=user.id))
            await self.transaction.commit()

    async def _notify_owner(self, email: EmailAddress) -> None:
        async with self.transaction:
            existing = await self.users.get_by_email(email)
            if existing is not None:
                self.outbox.add(_owner_notice(existing.id))
                await self.transaction.commit()


def _owner_notice(user_id: UserId) -> Event:
    return RegistrationAttempted(user_id=user_id)


@dataclass(frozen=True, slots=True)
class SendRegistrationNotice:
    """Job for ``accounts.registration_attempted``: tell the owner, send no code."""

    users: UserRepository
    mailer: Mailer

    async def __call__(self, user_id: UserId) -> bool:
        user = await self.users.get(user_id)
        if user is None:
            return False
        text = (
            f"Hello {user.display_name},\n\n"
            "Someone just tried to sign up for SaltBitter with this email address, which "
            "already has an account. Nothing about your account has changed.\n\n"
            "If it was you, log in instead, or reset your password if you have forgotten "
            "it. If it was not you, you can ignore this email.\n\n"
            "SaltBitter\n"
        )
        subject = "Someone tried to sign up with your email address"
        await self.mailer.send(OutgoingEmail(to=user.email.value, subject=subject, text=text))
        return True


@dataclass(frozen=True, slots=True)
class RequestVerificationCode:
    """Ask for a fresh verification code; answers the same whether or not the email exists."""

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
            if user is None or user.status is not AccountStatus.PENDING_VERIFICATION:
                return
            self.outbox.add(VerificationRequested(user_id=user.id))
            await self.transaction.commit()


@dataclass(frozen=True, slots=True)
class SendOneTimeCode:
    """Job: issue a fresh code for ``purpose`` (replacing any older one) and mail it."""

    transaction: Transaction
    users: UserRepository
    codes: OneTimeCodeRepository
    mailer: Mailer
    clock: Clock
    secrets: SecretGenerator

    async def send(self, user_id: UserId, purpose: CodePurpose) -> bool:
        code = self.secrets.one_time_code()
        async with self.transaction:
            user = await self.users.get(user_id)
            if user is None or not _code_still_wanted(user, purpose):
                return False
            await self.codes.put(OneTimeCode.issue(user.id, purpose, code, self.clock.now()))
            await self.transaction.commit()
        await self.mailer.send(_code_email(user, purpose, code))
        return True


def _code_still_wanted(user: User, purpose: CodePurpose) -> bool:
    if purpose is CodePurpose.VERIFY_EMAIL:
        return user.status is AccountStatus.PENDING_VERIFICATION
    return user.status in (
        AccountStatus.ACTIVE,
        AccountStatus.PENDING_VERIFICATION,
        AccountStatus.PENDING_DELETION,
    )


def _code_email(user: User, purpose: CodePurpose, code: str) -> OutgoingEmail:
    if purpose is CodePurpose.VERIFY_EMAIL:
        subject = "Your SaltBitter verification code"
        why = "to confirm your email address"
    else:
        subject = "Your SaltBitter password reset code"
        why = "to choose a new password"
    text = (
        f"Hello {user.display_name},\n\n"
        f"Your code {why} is: {code}\n\n"
        "It works once and expires in 15 minutes. If you did not ask for it, ignore this "
        "email; nothing changes until the code is used.\n\n"
        "SaltBitter\n"
    )
    return OutgoingEmail(to=user.email.value, subject=subject, text=text)


@dataclass(frozen=True, slots=True)
class SendVerificationCode:
    """Job for ``accounts.verification_requested``; a no-op once the email is verified."""

    sender: SendOneTimeCode

    async def __call__(self, user_id: UserId) -> bool:
        return await self.sender.send(user_id, CodePurpose.VERIFY_EMAIL)


@dataclass(frozen=True, slots=True)
class VerifyEmail:
    """Redeem the emailed code: 6 digits, 15 minutes, single use, 5 attempts."""

    transaction: Transaction
    users: UserRepository
    codes: OneTimeCodeRepository
    clock: Clock

    async def __call__(self, raw_email: str, code: str) -> Registered:
        now = self.clock.now()
        email = EmailAddress.parse(raw_email)
        async with self.transaction:
            user = await self.users.get_by_email(email)
            if user is None:
                raise invalid_code()
            accepted = await redeem_code(self.codes, user.id, CodePurpose.VERIFY_EMAIL, code, now)
            if accepted:
                user.mark_email_verified(now)
                await self.users.save(user)
            # A wrong guess is committed too: it used up one of the five attempts.
            await self.transaction.commit()
        if not accepted:
            raise invalid_code()
        return Registered(user.id, user.email.value, user.status)


async def redeem_code(
    codes: OneTimeCodeRepository, user_id: UserId, purpose: CodePurpose, code: str, now: datetime
) -> bool:
    """Evaluate one guess of the live code; True when this call redeemed it.

    The attempt is taken atomically before the guess is compared and the redemption is a
    conditional write, so concurrent guesses can neither share attempts nor redeem the
    code twice. Raises ``QuotaExceeded`` when no attempt was left to evaluate the guess;
    a False answer means an evaluated wrong (or already redeemed) guess.
    """
    attempt = await codes.take_attempt(user_id, purpose, now)
    if attempt is None:
        stored = await codes.get(user_id, purpose)
        if stored is not None and stored.used_at is None:
            stored.ensure_attempts_left()
        return False
    return attempt.matches(code) and await codes.mark_used(user_id, purpose, attempt.code_hash, now)
