"""Wiring of the accounts capability: registration, sessions, passwords, the purge of
unverified accounts, and the mail jobs its events trigger."""

from __future__ import annotations

from collections.abc import Sequence

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.batching import Batched
from saltbitter.adapters.sqlalchemy.accounts import (
    SqlaConsentLedger,
    SqlaOneTimeCodeRepository,
    SqlaSessionRepository,
    SqlaUserRepository,
)
from saltbitter.application.accounts import topics
from saltbitter.application.accounts.admin import SeedDemoMembers, ShowAccount
from saltbitter.application.accounts.deletion import CancelDeletion, RequestDeletion
from saltbitter.application.accounts.events import (
    AccountVisibilityChanged,
    ErasureReminderDue,
    PasswordResetRequested,
    RegistrationAttempted,
    VerificationRequested,
)
from saltbitter.application.accounts.passwords import (
    ConfirmPasswordReset,
    RequestPasswordReset,
    SendPasswordResetCode,
)
from saltbitter.application.accounts.personal_data import PERSONAL_DATA as ACCOUNTS_PERSONAL_DATA
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
from saltbitter.application.matching import topics as matching_topics
from saltbitter.application.ports.accounts import (
    ConsentLedger,
    OneTimeCodeRepository,
    SessionOwnerReads,
    SessionRepository,
    UserRepository,
)
from saltbitter.application.shared.policy import AccountsPolicy
from saltbitter.domain.accounts import Session, User
from saltbitter.domain.shared import SessionId
from saltbitter.entrypoints.capabilities import erasure
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.capabilities.erasure import ErasureProvider
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "PURGE_EVERY_SECONDS", "AccountsProvider", "SharedSessionOwnerReads"]

PURGE_EVERY_SECONDS = 3600.0


class SharedSessionOwnerReads(SessionOwnerReads):
    """Authentication's session reads in this process, in batches (ADR 0055): the
    requests whose principal is not kept at the same moment share one statement, sent on
    the connection of the batch's first request (each request still uses one connection)."""

    __slots__ = ("batched",)

    def __init__(self) -> None:
        async def read(
            calls: Sequence[tuple[SessionId, SessionRepository]],
        ) -> list[tuple[Session, User] | None]:
            found = await calls[0][1].get_many_with_owner([session_id for session_id, _ in calls])
            return [found.get(session_id) for session_id, _ in calls]

        # A failed batch (the first request's connection lost) is read call by call.
        self.batched: Batched[tuple[SessionId, SessionRepository], tuple[Session, User] | None]
        self.batched = Batched(read, max_batch=64, rerun_alone=True)

    async def get_with_owner(
        self, session_id: SessionId, on: SessionRepository
    ) -> tuple[Session, User] | None:
        return await self.batched((session_id, on))


class AccountsProvider(Provider):
    """APP scope: the accounts policy; REQUEST scope: the use cases."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def accounts_policy(self) -> AccountsPolicy:
        settings = self._settings
        return AccountsPolicy(
            terms_version=settings.terms_version,
            privacy_version=settings.privacy_version,
            allowed_email_domains=frozenset(settings.allowed_email_domains),
        )

    users = provide(SqlaUserRepository, provides=UserRepository, scope=Scope.REQUEST)
    sessions = provide(SqlaSessionRepository, provides=SessionRepository, scope=Scope.REQUEST)
    session_owner_reads = provide(
        SharedSessionOwnerReads, provides=SessionOwnerReads, scope=Scope.APP
    )
    codes = provide(SqlaOneTimeCodeRepository, provides=OneTimeCodeRepository, scope=Scope.REQUEST)
    consents = provide(SqlaConsentLedger, provides=ConsentLedger, scope=Scope.REQUEST)

    use_cases = provide_all(
        TokenMinter,
        SendOneTimeCode,
        RegisterUser,
        RequestVerificationCode,
        SendVerificationCode,
        SendRegistrationNotice,
        VerifyEmail,
        Login,
        RefreshSession,
        Logout,
        LogoutEverywhere,
        ListSessions,
        RevokeSession,
        Authenticate,
        GetMe,
        RequestPasswordReset,
        SendPasswordResetCode,
        ConfirmPasswordReset,
        PurgeUnverifiedAccounts,
        ShowAccount,
        SeedDemoMembers,
        RequestDeletion,
        CancelDeletion,
        scope=Scope.REQUEST,
    )


async def _send_verification_code(scope: AsyncContainer, event: VerificationRequested) -> object:
    return await (await scope.get(SendVerificationCode))(event.user_id)


async def _send_password_reset_code(scope: AsyncContainer, event: PasswordResetRequested) -> object:
    return await (await scope.get(SendPasswordResetCode))(event.user_id)


async def _send_registration_notice(scope: AsyncContainer, event: RegistrationAttempted) -> object:
    return await (await scope.get(SendRegistrationNotice))(event.user_id)


async def _purge_unverified(scope: AsyncContainer, _: None) -> object:
    return await (await scope.get(PurgeUnverifiedAccounts))()


CAPABILITY = Capability(
    name="accounts",
    personal_data=ACCOUNTS_PERSONAL_DATA,
    providers=lambda settings: [AccountsProvider(settings), ErasureProvider()],
    events=(
        VerificationRequested,
        PasswordResetRequested,
        RegistrationAttempted,
        AccountVisibilityChanged,
        ErasureReminderDue,
    ),
    handlers={
        VerificationRequested: (topics.SEND_VERIFICATION_CODE,),
        PasswordResetRequested: (topics.SEND_PASSWORD_RESET_CODE,),
        RegistrationAttempted: (topics.SEND_REGISTRATION_NOTICE,),
        # A member awaiting erasure vanishes from others' cached daily sets at once.
        AccountVisibilityChanged: (matching_topics.FORGET_MEMBER_CACHES,),
        ErasureReminderDue: (topics.SEND_ERASURE_REMINDER,),
    },
    jobs={
        topics.SEND_VERIFICATION_CODE: Job(_send_verification_code),
        topics.SEND_PASSWORD_RESET_CODE: Job(_send_password_reset_code),
        topics.SEND_REGISTRATION_NOTICE: Job(_send_registration_notice),
        topics.PURGE_UNVERIFIED: Job(_purge_unverified),
        **erasure.JOBS,
    },
    beat_schedule={
        "purge-unverified-hourly": {
            "task": topics.PURGE_UNVERIFIED,
            "schedule": PURGE_EVERY_SECONDS,
        },
        **erasure.BEAT_SCHEDULE,
    },
)
