"""The accounts rules, driven through the use cases over in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.application.accounts.deletion import AccountOwner
from saltbitter.application.accounts.passwords import ConfirmPasswordReset, RequestPasswordReset
from saltbitter.application.accounts.purge import PurgeUnverifiedAccounts
from saltbitter.application.accounts.registration import (
    RegisterUser,
    RequestVerificationCode,
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
)
from saltbitter.application.outbox import RelayOutbox
from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.shared.identity import ClientInfo
from saltbitter.application.shared.policy import AccountsPolicy
from saltbitter.domain.accounts import (
    AccountStatus,
    CodePurpose,
    ConsentPurpose,
    EmailAddress,
    User,
)
from saltbitter.domain.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationFailed,
)
from saltbitter.domain.shared import UserId
from saltbitter.testing.fakes import InMemoryPasswordHasher
from saltbitter.testing.fakes_accounts import AccountsState
from support.container import PASSWORD, registration
from support.container import FakeWorld as Accounts
from support.hypothesis_budget import budget

DEVICE = ClientInfo("198.51.100.4", "test laptop")


class CountingHasher(InMemoryPasswordHasher):
    def __init__(self) -> None:
        super().__init__()
        self.hashed = 0

    async def hash(self, password: str) -> str:
        self.hashed += 1
        return await super().hash(password)


class BlindToEmails(UserRepository):
    """Answers the first lookup by email with None, as a transaction that read before
    a concurrent sign-up committed would."""

    def __init__(self, inner: UserRepository) -> None:
        self._inner = inner
        self._misses = [True]

    def add(self, user: User) -> None:
        self._inner.add(user)

    async def get(self, user_id: UserId) -> User | None:
        return await self._inner.get(user_id)

    async def get_by_email(self, email: EmailAddress) -> User | None:
        if self._misses:
            self._misses.pop()
            return None
        return await self._inner.get_by_email(email)

    async def save(self, user: User) -> None:
        await self._inner.save(user)

    async def delete_unverified_created_before(self, cutoff: datetime) -> int:
        return await self._inner.delete_unverified_created_before(cutoff)


async def test_registration_creates_a_pending_account_with_consents_and_mails_a_code(
    accounts: Accounts,
) -> None:
    received = await (await accounts.get(RegisterUser))(registration("  Ada@Example.ORG "))
    assert received.email == "ada@example.org"
    [user] = accounts.database[AccountsState].users.values()
    assert user.status is AccountStatus.PENDING_VERIFICATION
    assert user.password_hash != PASSWORD
    purposes = {
        (c.purpose, c.granted, c.ip_address) for c in accounts.database[AccountsState].consents
    }
    assert purposes == {
        (ConsentPurpose.TERMS, True, "203.0.113.7"),
        (ConsentPurpose.PRIVACY, True, "203.0.113.7"),
    }
    assert accounts.mailer.sent == []  # mail leaves through the outbox, never inline

    await accounts.deliver_jobs()
    [mail] = accounts.mailer.to("ada@example.org")
    code = accounts.secrets.issued_codes[-1]
    assert code in mail.text
    stored = accounts.database[AccountsState].codes[(user.id, CodePurpose.VERIFY_EMAIL)]
    assert code not in stored.code_hash  # hashed at rest


async def test_registration_reports_every_bad_field_at_once(accounts: Accounts) -> None:
    today = accounts.clock.now().date()
    seventeen = date(today.year - 17, today.month, today.day)
    with pytest.raises(ValidationFailed) as caught:
        await (await accounts.get(RegisterUser))(
            registration(
                "not-an-email",
                password="short",
                birthdate=seventeen,
                timezone="Mars/Olympus",
                accept_terms=False,
                display_name=" ",
            )
        )
    codes = {error.field: error.code for error in caught.value.errors}
    assert codes == {
        "email": "invalid_email",
        "password": "password_too_short",
        "birthdate": "underage",
        "timezone": "invalid_timezone",
        "accept_terms": "required",
        "display_name": "required",
    }
    assert accounts.database[AccountsState].users == {}


async def test_common_passwords_are_refused(accounts: Accounts) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await (await accounts.get(RegisterUser))(registration(password="Password123"))
    assert [e.code for e in caught.value.errors] == ["password_too_common"]


async def test_an_eighteenth_birthday_today_is_old_enough(accounts: Accounts) -> None:
    today = accounts.clock.now().date()
    await (await accounts.get(RegisterUser))(
        registration(birthdate=date(today.year - 18, today.month, today.day))
    )
    [user] = accounts.database[AccountsState].users.values()
    assert user.status is AccountStatus.PENDING_VERIFICATION


async def test_an_email_registers_once_regardless_of_case(accounts: Accounts) -> None:
    first = await (await accounts.get(RegisterUser))(registration("sam@example.org"))
    await accounts.deliver_jobs()
    [owner] = accounts.database[AccountsState].users.values()
    codes_before = dict(accounts.database[AccountsState].codes)

    again = await (await accounts.get(RegisterUser))(
        registration(
            "SAM@example.org",
            password="another long passphrase",
            display_name="Mallory",
            birthdate=date(1970, 1, 1),
            timezone="Asia/Tokyo",
        )
    )
    await accounts.deliver_jobs()

    # The same answer as a fresh sign-up, so the address's owner is not revealed ...
    assert again == first
    # ... the existing account is untouched and keeps its live code ...
    assert list(accounts.database[AccountsState].users.values()) == [owner]
    assert accounts.database[AccountsState].codes == codes_before
    assert len(accounts.database[AccountsState].consents) == 2
    # ... and its owner gets a notice, not a code.
    [code_mail, notice] = accounts.mailer.to("sam@example.org")
    assert accounts.secrets.issued_codes[-1] in code_mail.text
    assert "tried to sign up" in notice.text
    assert "reset your password" in notice.text
    assert not any(code in notice.text for code in accounts.secrets.issued_codes)


locals_ = st.from_regex(r"[a-z0-9][a-z0-9.]{0,10}[a-z0-9]", fullmatch=True).filter(
    lambda local: ".." not in local
)


@settings(max_examples=budget(30), deadline=None)
@given(
    local=locals_,
    upper=st.booleans(),
    suffixes=st.lists(st.text(alphabet="abcxyz 0123", max_size=12), min_size=2, max_size=2),
)
async def test_the_answer_to_a_sign_up_never_tells_whether_the_address_is_taken(
    local: str, upper: bool, suffixes: list[str]
) -> None:
    accounts = Accounts()
    email = f"{local}@example.org"
    free = await (await accounts.get(RegisterUser))(
        registration(email, password=f"lovely passphrase {suffixes[0]}")
    )
    taken = await (await accounts.get(RegisterUser))(
        registration(email.upper() if upper else email, password=f"other passphrase {suffixes[1]}")
    )
    assert taken == free
    assert len(accounts.database[AccountsState].users) == 1


async def test_a_taken_email_costs_a_password_hash_too(accounts: Accounts) -> None:
    hasher = CountingHasher()
    accounts.hasher = hasher
    await (await accounts.get(RegisterUser))(registration("sam@example.org"))
    await (await accounts.get(RegisterUser))(registration("sam@example.org"))
    assert hasher.hashed == 2


async def test_a_sign_up_that_loses_the_race_for_an_address_gets_the_same_answer(
    accounts: Accounts,
) -> None:
    """Both saw a free address; the loser's insert conflicts at commit."""
    register = await accounts.get(RegisterUser)
    loser = await accounts.get(RegisterUser)  # its own request: its own connection
    blind = replace(loser, users=BlindToEmails(loser.users))
    first = await register(registration("sam@example.org"))
    second = await blind(registration("sam@example.org", display_name="Mallory"))
    await accounts.deliver_jobs()
    assert second == first
    [owner] = accounts.database[AccountsState].users.values()
    assert owner.display_name != "Mallory"
    assert "tried to sign up" in accounts.mailer.to("sam@example.org")[-1].text


async def test_domain_allow_list_limits_sign_up(accounts: Accounts) -> None:
    accounts.policy = AccountsPolicy(allowed_email_domains=frozenset({"uni.example.edu"}))
    await (await accounts.get(RegisterUser))(registration("student@uni.example.edu"))
    with pytest.raises(ValidationFailed) as caught:
        await (await accounts.get(RegisterUser))(registration("someone@example.org"))
    assert caught.value.errors[0].code == "domain_not_allowed"


async def test_login_before_verification_is_refused_after_the_password_check(
    accounts: Accounts,
) -> None:
    await (await accounts.get(RegisterUser))(registration())
    with pytest.raises(AuthenticationFailed):
        await (await accounts.get(Login))("ada@example.org", "wrong password!!", DEVICE)
    with pytest.raises(PermissionDenied) as caught:
        await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    assert caught.value.code == "email_not_verified"


async def test_verification_code_works_once(accounts: Accounts) -> None:
    await (await accounts.get(RegisterUser))(registration())
    await accounts.deliver_jobs()
    code = accounts.secrets.issued_codes[-1]
    verified = await (await accounts.get(VerifyEmail))("ada@example.org", code)
    assert verified.status is AccountStatus.ACTIVE
    with pytest.raises(ValidationFailed):
        await (await accounts.get(VerifyEmail))("ada@example.org", code)


async def test_verification_code_expires_after_fifteen_minutes(accounts: Accounts) -> None:
    await (await accounts.get(RegisterUser))(registration())
    await accounts.deliver_jobs()
    accounts.clock.advance(timedelta(minutes=15))
    with pytest.raises(ValidationFailed):
        await (await accounts.get(VerifyEmail))(
            "ada@example.org", accounts.secrets.issued_codes[-1]
        )


async def test_five_wrong_codes_exhaust_the_code(accounts: Accounts) -> None:
    await (await accounts.get(RegisterUser))(registration())
    await accounts.deliver_jobs()
    right = accounts.secrets.issued_codes[-1]
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises((ValidationFailed, QuotaExceeded)):
            await (await accounts.get(VerifyEmail))("ada@example.org", wrong)
    with pytest.raises(QuotaExceeded):
        await (await accounts.get(VerifyEmail))("ada@example.org", right)


async def test_resend_replaces_the_code(accounts: Accounts) -> None:
    await (await accounts.get(RegisterUser))(registration())
    await accounts.deliver_jobs()
    first = accounts.secrets.issued_codes[-1]
    await (await accounts.get(RequestVerificationCode))("ada@example.org")
    await (await accounts.get(RequestVerificationCode))(
        "nobody@example.org"
    )  # answers the same, does nothing
    await accounts.deliver_jobs()
    second = accounts.secrets.issued_codes[-1]
    if first != second:
        with pytest.raises(ValidationFailed):
            await (await accounts.get(VerifyEmail))("ada@example.org", first)
    assert (
        await (await accounts.get(VerifyEmail))("ada@example.org", second)
    ).status is AccountStatus.ACTIVE


async def test_login_issues_tokens_that_authenticate(accounts: Accounts) -> None:
    await accounts.verified_member()
    tokens = await (await accounts.get(Login))("ADA@example.org", PASSWORD, DEVICE)
    principal = await (await accounts.get(Authenticate))(tokens.access_token)
    me = await (await accounts.get(GetMe))(AccountOwner(principal))
    assert me.email == "ada@example.org"
    assert me.email_verified
    assert tokens.expires_in == 900


async def test_unknown_email_and_wrong_password_look_the_same(accounts: Accounts) -> None:
    await accounts.verified_member()
    errors = []
    for email, password in (("ada@example.org", "not the password"), ("who@example.org", PASSWORD)):
        with pytest.raises(AuthenticationFailed) as caught:
            await (await accounts.get(Login))(email, password, DEVICE)
        errors.append((caught.value.code, caught.value.message))
    assert errors[0] == errors[1]


async def test_login_rehashes_when_parameters_change(accounts: Accounts) -> None:
    await accounts.verified_member()
    accounts.hasher.version = 2
    await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    [user] = accounts.database[AccountsState].users.values()
    assert user.password_hash.startswith("fake-v2$")


async def test_refresh_rotates_and_reuse_revokes_the_whole_session(accounts: Accounts) -> None:
    await accounts.verified_member()
    first = await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    second = await (await accounts.get(RefreshSession))(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    await (await accounts.get(Authenticate))(second.access_token)

    with pytest.raises(AuthenticationFailed) as caught:
        await (await accounts.get(RefreshSession))(first.refresh_token)
    assert caught.value.code == "refresh_token_reused"
    with pytest.raises(AuthenticationFailed):
        await (await accounts.get(RefreshSession))(second.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await (await accounts.get(Authenticate))(second.access_token)


async def test_refresh_tokens_expire_after_seven_days(accounts: Accounts) -> None:
    await accounts.verified_member()
    tokens = await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    accounts.clock.advance(timedelta(days=7))
    with pytest.raises(AuthenticationFailed):
        await (await accounts.get(RefreshSession))(tokens.refresh_token)


async def test_logout_ends_one_session_and_logout_everywhere_ends_all(accounts: Accounts) -> None:
    await accounts.verified_member()
    phone = await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    laptop = await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    tablet = await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    await (await accounts.get(Logout))(phone.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await (await accounts.get(Authenticate))(phone.access_token)
    principal = await (await accounts.get(Authenticate))(laptop.access_token)
    assert len(await (await accounts.get(ListSessions))(principal)) == 2

    assert await (await accounts.get(LogoutEverywhere))(principal) == 2
    for tokens in (laptop, tablet):
        with pytest.raises(AuthenticationFailed):
            await (await accounts.get(Authenticate))(tokens.access_token)


async def test_someone_elses_session_is_not_found(accounts: Accounts) -> None:
    await accounts.verified_member("ada@example.org")
    await accounts.verified_member("bob@example.org")
    ada = await (await accounts.get(Authenticate))(
        (await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)).access_token
    )
    bob = await (await accounts.get(Authenticate))(
        (await (await accounts.get(Login))("bob@example.org", PASSWORD, DEVICE)).access_token
    )
    with pytest.raises(NotFound):
        await (await accounts.get(RevokeSession))(ada, bob.session_id)
    assert [s.session_id for s in await (await accounts.get(ListSessions))(bob)] == [bob.session_id]
    await (await accounts.get(RevokeSession))(ada, ada.session_id)
    assert await (await accounts.get(ListSessions))(ada) == []


async def test_password_reset_sets_the_password_and_revokes_sessions(accounts: Accounts) -> None:
    await accounts.verified_member()
    old = await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    await (await accounts.get(RequestPasswordReset))("ada@example.org")
    await (await accounts.get(RequestPasswordReset))(
        "ghost@example.org"
    )  # same answer, nothing happens
    await accounts.deliver_jobs()
    [mail] = [m for m in accounts.mailer.sent if "password" in m.subject]
    code = accounts.secrets.issued_codes[-1]
    assert code in mail.text
    await (await accounts.get(ConfirmPasswordReset))(
        "ada@example.org", code, "a brand new passphrase"
    )
    with pytest.raises(AuthenticationFailed):
        await (await accounts.get(Authenticate))(old.access_token)
    with pytest.raises(AuthenticationFailed):
        await (await accounts.get(Login))("ada@example.org", PASSWORD, DEVICE)
    await (await accounts.get(Login))("ada@example.org", "a brand new passphrase", DEVICE)


async def test_password_reset_refuses_a_weak_password_and_a_wrong_code(accounts: Accounts) -> None:
    await accounts.verified_member()
    await (await accounts.get(RequestPasswordReset))("ada@example.org")
    await accounts.deliver_jobs()
    code = accounts.secrets.issued_codes[-1]
    with pytest.raises(ValidationFailed) as weak:
        await (await accounts.get(ConfirmPasswordReset))("ada@example.org", code, "short")
    assert weak.value.errors[0].field == "new_password"
    with pytest.raises(ValidationFailed) as wrong:
        await (await accounts.get(ConfirmPasswordReset))(
            "ada@example.org", "999999" if code != "999999" else "000000", "long enough pass"
        )
    assert wrong.value.errors[0].code == "invalid_code"


async def test_purge_removes_unverified_accounts_after_a_day(accounts: Accounts) -> None:
    await (await accounts.get(RegisterUser))(registration("late@example.org"))
    await accounts.verified_member("early@example.org")
    accounts.clock.advance(timedelta(hours=23))
    assert await (await accounts.get(PurgeUnverifiedAccounts))() == 0
    accounts.clock.advance(timedelta(hours=1, seconds=1))
    assert await (await accounts.get(PurgeUnverifiedAccounts))() == 1
    assert [u.email for u in accounts.database[AccountsState].users.values()] == [
        EmailAddress.parse("early@example.org")
    ]


async def test_relay_dispatches_each_event_once(accounts: Accounts) -> None:
    await (await accounts.get(RegisterUser))(registration())
    assert await (await accounts.get(RelayOutbox))() == 1
    assert await (await accounts.get(RelayOutbox))() == 0
    assert [job for job, _ in accounts.queue.jobs] == ["accounts.send_verification_code"]
