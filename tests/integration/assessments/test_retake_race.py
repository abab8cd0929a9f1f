"""The 30-day retake rule under concurrency, on PostgreSQL: a member who submits the
assessment twice at the same moment keeps exactly one result; the other is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.tables_members import assessments
from saltbitter.application.assessments.dto import AssessmentView, SubmitAssessmentCommand
from saltbitter.application.assessments.results import SubmitAssessment
from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.assessments import MemberConsents
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.accounts import ConsentPurpose, ConsentRecord
from saltbitter.domain.errors import Conflict
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.testing.builders import a_user
from support.scopes import sql_container

pytestmark = pytest.mark.integration

MEMBERS = 20
ANSWERS = {str(number): 1 + number % 7 for number in range(1, 37)}


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(migrated_url, pool_size=20, max_overflow=20)
    yield engine
    await engine.dispose()


def _principal(user: UserId) -> Principal:
    return Principal(user, SessionId(user), frozenset({Role.MEMBER}), Tier.FREE, True)


async def test_two_simultaneous_submissions_store_one_result_and_refuse_the_other(
    engine: AsyncEngine,
) -> None:
    users = [a_user() for _ in range(MEMBERS)]
    container = sql_container(engine)
    async with container() as request:
        transaction = await request.get(Transaction)
        accounts, consents = await request.get(UserRepository), await request.get(MemberConsents)
        async with transaction:
            for user in users:
                accounts.add(user)
                consents.append(
                    ConsentRecord(
                        user.id, ConsentPurpose.SENSITIVE_DATA, True, "p-1", datetime.now(UTC)
                    )
                )
            await transaction.commit()

    async def submit(user: UserId) -> AssessmentView | Conflict:
        async with container() as request:  # each submission is a request of its own
            use_case = await request.get(SubmitAssessment)
            try:
                return await use_case(_principal(user), SubmitAssessmentCommand("ecr-r", ANSWERS))
            except Conflict as conflict:
                return conflict

    # Two submissions per member at once: 40 transactions racing, pairwise on a member.
    outcomes = await asyncio.gather(*(submit(user.id) for user in users for _ in range(2)))
    for first, second in zip(outcomes[0::2], outcomes[1::2], strict=True):
        refused = [o for o in (first, second) if isinstance(o, Conflict)]
        stored = [o for o in (first, second) if isinstance(o, AssessmentView)]
        assert len(stored) == 1
        assert [conflict.code for conflict in refused] == ["retake_too_soon"]
    async with engine.connect() as connection:
        per_member = (
            await connection.execute(
                select(assessments.c.user_id, func.count()).group_by(assessments.c.user_id)
            )
        ).all()
    assert len(per_member) == MEMBERS
    assert {count for _, count in per_member} == {1}
    await container.close()
