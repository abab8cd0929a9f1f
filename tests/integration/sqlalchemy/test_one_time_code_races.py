"""Concurrent guesses at one code on PostgreSQL: attempts are never shared, redemption once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.application.accounts.passwords import ConfirmPasswordReset
from saltbitter.application.accounts.registration import VerifyEmail
from saltbitter.domain.accounts import MAX_CODE_ATTEMPTS, AccountStatus, CodePurpose, OneTimeCode
from saltbitter.domain.errors import QuotaExceeded, ValidationFailed
from saltbitter.testing.builders import a_user
from saltbitter.testing.fakes import InMemoryClock, InMemoryPasswordHasher
from support.accounts import sql_accounts_store

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
RIGHT, WRONG = "424242", "000000"
GUESSES = 50
Guess = Callable[[str], Awaitable[None]]


async def _account_with_code(engine: AsyncEngine, purpose: CodePurpose) -> str:
    user = a_user(status=AccountStatus.PENDING_VERIFICATION)
    async with sql_accounts_store(engine)() as db, db.transaction:
        db.users.add(user)
        await db.codes.put(OneTimeCode.issue(user.id, purpose, RIGHT, T0))
        await db.transaction.commit()
    return user.email.value


def _guesser(engine: AsyncEngine, purpose: CodePurpose, email: str) -> Guess:
    """One guess through the use case, each a request of its own (its own connection)."""
    clock = InMemoryClock(T0 + timedelta(minutes=1))

    async def guess(code: str) -> None:
        async with sql_accounts_store(engine)() as db:
            if purpose is CodePurpose.VERIFY_EMAIL:
                await VerifyEmail(db.transaction, db.users, db.codes, clock)(email, code)
            else:
                reset = ConfirmPasswordReset(
                    db.transaction,
                    db.users,
                    db.sessions,
                    db.codes,
                    InMemoryPasswordHasher(),
                    clock,
                )
                await reset(email, code, f"a new passphrase {code}")

    return guess


async def _outcome(attempt: Awaitable[None]) -> str:
    try:
        await attempt
    except ValidationFailed as invalid:
        return invalid.errors[0].code
    except QuotaExceeded as exhausted:
        return exhausted.code
    return "accepted"


@pytest.mark.parametrize("purpose", list(CodePurpose))
async def test_fifty_concurrent_wrong_guesses_evaluate_at_most_five(
    engine: AsyncEngine, purpose: CodePurpose
) -> None:
    email = await _account_with_code(engine, purpose)
    guess = _guesser(engine, purpose, email)

    outcomes = Counter(await asyncio.gather(*(_outcome(guess(WRONG)) for _ in range(GUESSES))))

    # "invalid_code" answers an evaluated wrong guess; the rest were refused unevaluated.
    evaluated = outcomes["invalid_code"]
    assert evaluated == MAX_CODE_ATTEMPTS, outcomes
    assert outcomes["code_attempts_exhausted"] == GUESSES - MAX_CODE_ATTEMPTS
    assert await _outcome(guess(RIGHT)) == "code_attempts_exhausted"


@pytest.mark.parametrize("purpose", list(CodePurpose))
async def test_of_concurrent_right_guesses_exactly_one_redeems_the_code(
    engine: AsyncEngine, purpose: CodePurpose
) -> None:
    email = await _account_with_code(engine, purpose)
    guess = _guesser(engine, purpose, email)

    outcomes = Counter(await asyncio.gather(*(_outcome(guess(RIGHT)) for _ in range(8))))

    assert outcomes["accepted"] == 1, outcomes
    assert outcomes["invalid_code"] == 7
