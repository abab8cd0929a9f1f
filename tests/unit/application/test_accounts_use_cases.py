"""The accounts rules, driven through the use cases over in-memory fakes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from saltbitter.application.accounts.dto import AccountsPolicy, ClientInfo
from saltbitter.domain.accounts import AccountStatus, CodePurpose, ConsentPurpose, EmailAddress
from saltbitter.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationFailed,
)
from saltbitter.testing.harness import PASSWORD, registration
from saltbitter.testing.harness import AccountsHarness as Accounts

DEVICE = ClientInfo("198.51.100.4", "test laptop")


async def test_registration_creates_a_pending_account_with_consents_and_mails_a_code(
    accounts: Accounts,
) -> None:
    registered = await accounts.register()(registration("  Ada@Example.ORG "))
    assert registered.email == "ada@example.org"
    assert registered.status is AccountStatus.PENDING_VERIFICATION
    user = accounts.database.users[registered.user_id]
    assert user.password_hash != PASSWORD
    purposes = {(c.purpose, c.granted, c.ip_address) for c in accounts.database.consents}
    assert purposes == {
        (ConsentPurpose.TERMS, True, "203.0.113.7"),
        (ConsentPurpose.PRIVACY, True, "203.0.113.7"),
    }
    assert accounts.mailer.sent == []  # mail leaves through the outbox, never inline

    await accounts.deliver_jobs()
    [mail] = accounts.mailer.to("ada@example.org")
    code = accounts.secrets.issued_codes[-1]
    assert code in mail.text
    stored = accounts.database.codes[(registered.user_id, CodePurpose.VERIFY_EMAIL)]
    assert code not in stored.code_hash  # hashed at rest


async def test_registration_reports_every_bad_field_at_once(accounts: Accounts) -> None:
    today = accounts.clock.now().date()
    seventeen = date(today.year - 17, today.month, today.day)
    with pytest.raises(ValidationFailed) as caught:
        await accounts.register()(
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
    assert accounts.database.users == {}


async def test_common_passwords_are_refused(accounts: Accounts) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await accounts.register()(registration(password="Password123"))
    assert [e.code for e in caught.value.errors] == ["password_too_common"]


async def test_an_eighteenth_birthday_today_is_old_enough(accounts: Accounts) -> None:
    today = accounts.clock.now().date()
    registered = await accounts.register()(
        registration(birthdate=date(today.year - 18, today.month, today.day))
    )
    assert registered.status is AccountStatus.PENDING_VERIFICATION


async def test_an_email_registers_once_regardless_of_case(accounts: Accounts) -> None:
    await accounts.register()(registration("sam@example.org"))
    with pytest.raises(Conflict) as caught:
        await accounts.register()(registration("SAM@example.org"))
    assert caught.value.code == "email_taken"


async def test_domain_allow_list_limits_sign_up(accounts: Accounts) -> None:
    accounts.policy = AccountsPolicy(allowed_email_domains=frozenset({"uni.example.edu"}))
    await accounts.register()(registration("student@uni.example.edu"))
    with pytest.raises(ValidationFailed) as caught:
        await accounts.register()(registration("someone@example.org"))
    assert caught.value.errors[0].code == "domain_not_allowed"


async def test_login_before_verification_is_refused_after_the_password_check(
    accounts: Accounts,
) -> None:
    await accounts.register()(registration())
    with pytest.raises(AuthenticationFailed):
        await accounts.login()("ada@example.org", "wrong password!!", DEVICE)
    with pytest.raises(PermissionDenied) as caught:
        await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    assert caught.value.code == "email_not_verified"


async def test_verification_code_works_once(accounts: Accounts) -> None:
    await accounts.register()(registration())
    await accounts.deliver_jobs()
    code = accounts.secrets.issued_codes[-1]
    verified = await accounts.verify()("ada@example.org", code)
    assert verified.status is AccountStatus.ACTIVE
    with pytest.raises(ValidationFailed):
        await accounts.verify()("ada@example.org", code)


async def test_verification_code_expires_after_fifteen_minutes(accounts: Accounts) -> None:
    await accounts.register()(registration())
    await accounts.deliver_jobs()
    accounts.clock.advance(timedelta(minutes=15))
    with pytest.raises(ValidationFailed):
        await accounts.verify()("ada@example.org", accounts.secrets.issued_codes[-1])


async def test_five_wrong_codes_exhaust_the_code(accounts: Accounts) -> None:
    await accounts.register()(registration())
    await accounts.deliver_jobs()
    right = accounts.secrets.issued_codes[-1]
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises((ValidationFailed, QuotaExceeded)):
            await accounts.verify()("ada@example.org", wrong)
    with pytest.raises(QuotaExceeded):
        await accounts.verify()("ada@example.org", right)


async def test_resend_replaces_the_code(accounts: Accounts) -> None:
    await accounts.register()(registration())
    await accounts.deliver_jobs()
    first = accounts.secrets.issued_codes[-1]
    await accounts.resend()("ada@example.org")
    await accounts.resend()("nobody@example.org")  # answers the same, does nothing
    await accounts.deliver_jobs()
    second = accounts.secrets.issued_codes[-1]
    if first != second:
        with pytest.raises(ValidationFailed):
            await accounts.verify()("ada@example.org", first)
    assert (await accounts.verify()("ada@example.org", second)).status is AccountStatus.ACTIVE


async def test_login_issues_tokens_that_authenticate(accounts: Accounts) -> None:
    await accounts.verified_member()
    tokens = await accounts.login()("ADA@example.org", PASSWORD, DEVICE)
    principal = await accounts.authenticate()(tokens.access_token)
    me = await accounts.me()(principal)
    assert me.email == "ada@example.org"
    assert me.email_verified
    assert tokens.expires_in == 900


async def test_unknown_email_and_wrong_password_look_the_same(accounts: Accounts) -> None:
    await accounts.verified_member()
    errors = []
    for email, password in (("ada@example.org", "not the password"), ("who@example.org", PASSWORD)):
        with pytest.raises(AuthenticationFailed) as caught:
            await accounts.login()(email, password, DEVICE)
        errors.append((caught.value.code, caught.value.message))
    assert errors[0] == errors[1]


async def test_login_rehashes_when_parameters_change(accounts: Accounts) -> None:
    await accounts.verified_member()
    accounts.hasher.version = 2
    await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    [user] = accounts.database.users.values()
    assert user.password_hash.startswith("fake-v2$")


async def test_refresh_rotates_and_reuse_revokes_the_whole_session(accounts: Accounts) -> None:
    await accounts.verified_member()
    first = await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    second = await accounts.refresh()(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    await accounts.authenticate()(second.access_token)

    with pytest.raises(AuthenticationFailed) as caught:
        await accounts.refresh()(first.refresh_token)
    assert caught.value.code == "refresh_token_reused"
    with pytest.raises(AuthenticationFailed):
        await accounts.refresh()(second.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await accounts.authenticate()(second.access_token)


async def test_refresh_tokens_expire_after_seven_days(accounts: Accounts) -> None:
    await accounts.verified_member()
    tokens = await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    accounts.clock.advance(timedelta(days=7))
    with pytest.raises(AuthenticationFailed):
        await accounts.refresh()(tokens.refresh_token)


async def test_logout_ends_one_session_and_logout_everywhere_ends_all(accounts: Accounts) -> None:
    await accounts.verified_member()
    phone = await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    laptop = await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    tablet = await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    await accounts.logout()(phone.refresh_token)
    with pytest.raises(AuthenticationFailed):
        await accounts.authenticate()(phone.access_token)
    principal = await accounts.authenticate()(laptop.access_token)
    assert len(await accounts.list_sessions()(principal)) == 2

    assert await accounts.logout_everywhere()(principal) == 2
    for tokens in (laptop, tablet):
        with pytest.raises(AuthenticationFailed):
            await accounts.authenticate()(tokens.access_token)


async def test_someone_elses_session_is_not_found(accounts: Accounts) -> None:
    await accounts.verified_member("ada@example.org")
    await accounts.verified_member("bob@example.org")
    ada = await accounts.authenticate()(
        (await accounts.login()("ada@example.org", PASSWORD, DEVICE)).access_token
    )
    bob = await accounts.authenticate()(
        (await accounts.login()("bob@example.org", PASSWORD, DEVICE)).access_token
    )
    with pytest.raises(NotFound):
        await accounts.revoke_session()(ada, bob.session_id)
    assert [s.session_id for s in await accounts.list_sessions()(bob)] == [bob.session_id]
    await accounts.revoke_session()(ada, ada.session_id)
    assert await accounts.list_sessions()(ada) == []


async def test_password_reset_sets_the_password_and_revokes_sessions(accounts: Accounts) -> None:
    await accounts.verified_member()
    old = await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    await accounts.request_reset()("ada@example.org")
    await accounts.request_reset()("ghost@example.org")  # same answer, nothing happens
    await accounts.deliver_jobs()
    [mail] = [m for m in accounts.mailer.sent if "password" in m.subject]
    code = accounts.secrets.issued_codes[-1]
    assert code in mail.text
    await accounts.confirm_reset()("ada@example.org", code, "a brand new passphrase")
    with pytest.raises(AuthenticationFailed):
        await accounts.authenticate()(old.access_token)
    with pytest.raises(AuthenticationFailed):
        await accounts.login()("ada@example.org", PASSWORD, DEVICE)
    await accounts.login()("ada@example.org", "a brand new passphrase", DEVICE)


async def test_password_reset_refuses_a_weak_password_and_a_wrong_code(accounts: Accounts) -> None:
    await accounts.verified_member()
    await accounts.request_reset()("ada@example.org")
    await accounts.deliver_jobs()
    code = accounts.secrets.issued_codes[-1]
    with pytest.raises(ValidationFailed) as weak:
        await accounts.confirm_reset()("ada@example.org", code, "short")
    assert weak.value.errors[0].field == "new_password"
    with pytest.raises(ValidationFailed) as wrong:
        await accounts.confirm_reset()(
            "ada@example.org", "999999" if code != "999999" else "000000", "long enough pass"
        )
    assert wrong.value.errors[0].code == "invalid_code"


async def test_purge_removes_unverified_accounts_after_a_day(accounts: Accounts) -> None:
    await accounts.register()(registration("late@example.org"))
    await accounts.verified_member("early@example.org")
    accounts.clock.advance(timedelta(hours=23))
    assert await accounts.purge()() == 0
    accounts.clock.advance(timedelta(hours=1, seconds=1))
    assert await accounts.purge()() == 1
    assert [u.email for u in accounts.database.users.values()] == [
        EmailAddress.parse("early@example.org")
    ]


async def test_relay_dispatches_each_event_once(accounts: Accounts) -> None:
    await accounts.register()(registration())
    assert await accounts.relay()() == 1
    assert await accounts.relay()() == 0
    assert [job for job, _ in accounts.queue.jobs] == ["accounts.send_verification_code"]
