"""The accounts use cases wired to in-memory fakes, as the composition root wires real ones.

For unit tests here and in other teams: one shared in-memory world, a frozen clock and
reproducible secrets, plus helpers that play the worker's part (relay and run jobs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from saltbitter.application.accounts import topics
from saltbitter.application.accounts.dto import RegisterCommand
from saltbitter.application.accounts.events import (
    PasswordResetRequested,
    RegistrationAttempted,
    VerificationRequested,
)
from saltbitter.application.accounts.passwords import (
    ConfirmPasswordReset,
    RequestPasswordReset,
    SendPasswordResetCode,
)
from saltbitter.application.accounts.purge import PurgeUnverifiedAccounts
from saltbitter.application.accounts.registration import (
    RegisterUser,
    RequestVerificationCode,
    SendOneTimeCode,
    SendRegistrationNotice,
    SendVerificationCode,
    VerifyEmail,
)
from saltbitter.application.accounts.sessions import (
    Authenticate,
    GetMe,
    ListSessions,
    Login,
    Logout,
    LogoutEverywhere,
    RefreshSession,
    RevokeSession,
    TokenMinter,
)
from saltbitter.application.outbox import EventHandlers, RelayOutbox
from saltbitter.application.shared.identity import ClientInfo
from saltbitter.application.shared.policy import AccountsPolicy
from saltbitter.testing.fakes import (
    InMemoryAccessTokenCodec,
    InMemoryClock,
    InMemoryDatabase,
    InMemoryIdGenerator,
    InMemoryJobQueue,
    InMemoryMailer,
    InMemoryPasswordHasher,
    InMemorySecretGenerator,
    InMemoryUnitOfWork,
)

__all__ = ["PASSWORD", "AccountsHarness", "registration"]

PASSWORD = "correct horse battery"


def registration(email: str = "ada@example.org", **overrides: object) -> RegisterCommand:
    fields: dict[str, object] = {
        "email": email,
        "password": PASSWORD,
        "display_name": "Ada",
        "birthdate": date(1990, 12, 10),
        "timezone": "Europe/London",
        "accept_terms": True,
        "accept_privacy": True,
        "client": ClientInfo("203.0.113.7", "pytest phone"),
    }
    fields.update(overrides)
    return RegisterCommand(**fields)  # type: ignore[arg-type]


# The accounts capability's own table (entrypoints/capabilities/accounts.py registers it).
ACCOUNTS_HANDLERS = EventHandlers(
    {
        VerificationRequested: (topics.SEND_VERIFICATION_CODE,),
        PasswordResetRequested: (topics.SEND_PASSWORD_RESET_CODE,),
        RegistrationAttempted: (topics.SEND_REGISTRATION_NOTICE,),
    }
)


@dataclass
class AccountsHarness:
    """Every accounts use case over one shared in-memory world."""

    database: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    clock: InMemoryClock = field(default_factory=InMemoryClock)
    ids: InMemoryIdGenerator = field(default_factory=InMemoryIdGenerator)
    secrets: InMemorySecretGenerator = field(default_factory=lambda: InMemorySecretGenerator(7))
    mailer: InMemoryMailer = field(default_factory=InMemoryMailer)
    queue: InMemoryJobQueue = field(default_factory=InMemoryJobQueue)
    hasher: InMemoryPasswordHasher = field(default_factory=InMemoryPasswordHasher)
    codec: InMemoryAccessTokenCodec = field(default_factory=InMemoryAccessTokenCodec)
    policy: AccountsPolicy = field(default_factory=AccountsPolicy)
    handlers: EventHandlers = field(default_factory=lambda: ACCOUNTS_HANDLERS)

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.database, self.clock, self.ids)

    @property
    def minter(self) -> TokenMinter:
        return TokenMinter(self.codec, self.secrets)

    @property
    def sender(self) -> SendOneTimeCode:
        return SendOneTimeCode(self.uow(), self.mailer, self.clock, self.secrets)

    def register(self) -> RegisterUser:
        return RegisterUser(self.uow(), self.hasher, self.clock, self.ids, self.policy)

    def verify(self) -> VerifyEmail:
        return VerifyEmail(self.uow(), self.clock)

    def resend(self) -> RequestVerificationCode:
        return RequestVerificationCode(self.uow())

    def send_verification(self) -> SendVerificationCode:
        return SendVerificationCode(self.sender)

    def login(self) -> Login:
        return Login(self.uow(), self.hasher, self.minter, self.clock, self.ids)

    def refresh(self) -> RefreshSession:
        return RefreshSession(self.uow(), self.minter, self.clock)

    def logout(self) -> Logout:
        return Logout(self.uow(), self.clock)

    def logout_everywhere(self) -> LogoutEverywhere:
        return LogoutEverywhere(self.uow(), self.clock)

    def list_sessions(self) -> ListSessions:
        return ListSessions(self.uow())

    def revoke_session(self) -> RevokeSession:
        return RevokeSession(self.uow(), self.clock)

    def authenticate(self) -> Authenticate:
        return Authenticate(self.uow(), self.codec, self.clock)

    def me(self) -> GetMe:
        return GetMe(self.uow())

    def request_reset(self) -> RequestPasswordReset:
        return RequestPasswordReset(self.uow())

    def send_reset(self) -> SendPasswordResetCode:
        return SendPasswordResetCode(self.sender)

    def confirm_reset(self) -> ConfirmPasswordReset:
        return ConfirmPasswordReset(self.uow(), self.hasher, self.clock)

    def purge(self) -> PurgeUnverifiedAccounts:
        return PurgeUnverifiedAccounts(self.uow(), self.clock)

    def relay(self) -> RelayOutbox:
        return RelayOutbox(self.uow(), self.queue, self.clock, self.handlers)

    async def deliver_jobs(self) -> None:
        """Relay the outbox and run the queued jobs, as the worker would."""
        await self.relay()()
        jobs, self.queue.jobs = self.queue.jobs, []
        for job, event in jobs:
            if job == topics.SEND_VERIFICATION_CODE:
                assert isinstance(event, VerificationRequested)
                await self.send_verification()(event.user_id)
            elif job == topics.SEND_PASSWORD_RESET_CODE:
                assert isinstance(event, PasswordResetRequested)
                await self.send_reset()(event.user_id)
            elif job == topics.SEND_REGISTRATION_NOTICE:
                assert isinstance(event, RegistrationAttempted)
                await SendRegistrationNotice(self.uow(), self.mailer)(event.user_id)

    async def verified_member(self, email: str = "ada@example.org") -> None:
        await self.register()(registration(email))
        await self.deliver_jobs()
        await self.verify()(email, self.secrets.issued_codes[-1])
