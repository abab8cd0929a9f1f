"""Laws of the accounts domain: emails, passwords, ages and one-time codes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.accounts import (
    MAX_CODE_ATTEMPTS,
    CodePurpose,
    EmailAddress,
    OneTimeCode,
    age_on,
    check_adult,
    check_timezone,
    password_problems,
)
from saltbitter.domain.errors import ValidationFailed
from saltbitter.domain.shared import UserId

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
local_parts = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s
)
domains = st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,10}[a-zA-Z0-9]\.(com|org|de|io)", fullmatch=True)


@given(local_parts, domains)
def test_emails_are_case_folded_and_parsing_is_idempotent(local: str, domain: str) -> None:
    email = EmailAddress.parse(f"  {local}@{domain} ")
    assert email.value == f"{local}@{domain}".casefold()
    assert EmailAddress.parse(email.value) == email
    assert EmailAddress.parse(email.value.upper()) == email


@pytest.mark.parametrize(
    "raw", ["", "plain", "@example.org", "a@", "a@b", "a..b@example.org", "a@-x.org", "a@x.123"]
)
def test_malformed_emails_are_field_errors(raw: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        EmailAddress.parse(raw)
    assert caught.value.errors[0].field == "email"


@given(st.text(min_size=0, max_size=9))
def test_short_passwords_are_always_refused(password: str) -> None:
    assert [p.code for p in password_problems(password)] == ["password_too_short"]


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=10, max_size=40))
def test_long_varied_passwords_pass_unless_listed(password: str) -> None:
    problems = password_problems(password)
    assert problems == [] or problems[0].code == "password_too_common"


@given(st.dates(min_value=date(1920, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 40000))
def test_age_grows_by_one_each_birthday_and_never_goes_down(birthdate: date, days: int) -> None:
    later = birthdate + timedelta(days=days)
    assert age_on(birthdate, later) >= 0
    assert age_on(birthdate, later + timedelta(days=1)) >= age_on(birthdate, later)
    assert age_on(birthdate, later) in {days // 366, days // 365, days // 365 - 1, days // 366 + 1}


def test_the_day_before_the_eighteenth_birthday_is_too_young() -> None:
    today = date(2026, 3, 10)
    assert check_adult(date(2008, 3, 10), today) is None
    problem = check_adult(date(2008, 3, 11), today)
    assert problem is not None
    assert problem.code == "underage"
    leap = check_adult(date(2008, 2, 29), date(2026, 2, 28))
    assert leap is not None


def test_timezones_must_be_iana_names() -> None:
    assert check_timezone("America/Sao_Paulo") is None
    assert check_timezone("UTC") is None
    for bad in ("Mars/Base", "", "../etc/passwd", "GMT+25"):
        assert check_timezone(bad) is not None


codes = st.from_regex(r"[0-9]{6}", fullmatch=True)


@given(codes, codes)
def test_a_code_redeems_only_with_itself_once(right: str, presented: str) -> None:
    issued = OneTimeCode.issue(UserId(uuid4()), CodePurpose.VERIFY_EMAIL, right, T0)
    assert right not in issued.code_hash
    after, ok = issued.redeem(presented, T0 + timedelta(minutes=1))
    assert ok == (presented == right)
    if ok:
        assert after.redeem(right, T0 + timedelta(minutes=2))[1] is False
    else:
        assert after.attempts_left == MAX_CODE_ATTEMPTS - 1


def test_codes_expire_and_run_out_of_attempts() -> None:
    issued = OneTimeCode.issue(UserId(uuid4()), CodePurpose.PASSWORD_RESET, "123456", T0)
    assert issued.redeem("123456", T0 + timedelta(minutes=15))[1] is False
    state = issued
    for _ in range(MAX_CODE_ATTEMPTS):
        state, ok = state.redeem("000000", T0)
        assert not ok
    assert state.redeem("123456", T0)[1] is False


def test_codes_of_other_users_or_purposes_do_not_share_hashes() -> None:
    one, two = UserId(uuid4()), UserId(uuid4())
    hashes = {
        OneTimeCode.digest(one, CodePurpose.VERIFY_EMAIL, "123456"),
        OneTimeCode.digest(two, CodePurpose.VERIFY_EMAIL, "123456"),
        OneTimeCode.digest(one, CodePurpose.PASSWORD_RESET, "123456"),
    }
    assert len(hashes) == 3
