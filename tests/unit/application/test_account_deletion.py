"""Account deletion through the production container over fakes: the request, the grace
period, the reminders and the erasure job (docs/privacy.md)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saltbitter.application.accounts import topics as accounts_topics
from saltbitter.application.accounts.deletion import (
    AccountOwner,
    CancelDeletion,
    QueueErasureReminders,
    RequestDeletion,
)
from saltbitter.application.accounts.passwords import ConfirmPasswordReset, RequestPasswordReset
from saltbitter.application.accounts.sessions import Authenticate, GetMe, Login
from saltbitter.application.privacy.erasure import (
    ERASE_DUE_ACCOUNTS,
    ClaimDueErasures,
    ClaimErasureNow,
    EraseAccount,
)
from saltbitter.application.privacy.exports import RequestDataExport
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.domain.accounts import ERASURE_GRACE, AccountStatus
from saltbitter.domain.errors import Conflict, NotFound, PermissionDenied
from saltbitter.domain.privacy.exports import archive_key_for
from saltbitter.entrypoints.jobs import run_job
from saltbitter.testing.fakes_accounts import AccountsState
from support.container import PASSWORD, FakeWorld
from support.hypothesis_budget import budget

EMAIL = "ada@example.org"
DEVICE = ClientInfo("198.51.100.4", "test laptop")


async def signed_in(world: FakeWorld) -> tuple[str, AccountOwner]:
    await world.verified_member(EMAIL)
    tokens = await (await world.get(Login))(EMAIL, PASSWORD, DEVICE)
    owner = await (await world.get(Authenticate)).owner(tokens.access_token)
    return tokens.access_token, owner


def user(world: FakeWorld, owner: AccountOwner):  # type: ignore[no-untyped-def]
    return world.database[AccountsState].users.get(owner.principal.user_id)


async def test_a_wrong_password_changes_nothing() -> None:
    world = FakeWorld()
    token, owner = await signed_in(world)
    with pytest.raises(PermissionDenied) as refused:
        await (await world.get(RequestDeletion))(owner, "not the password")
    assert refused.value.code == "wrong_password"
    assert user(world, owner).status is AccountStatus.ACTIVE
    assert isinstance(await (await world.get(Authenticate))(token), Principal)


async def test_the_request_deactivates_signs_out_and_schedules_the_erasure() -> None:
    world = FakeWorld()
    token, owner = await signed_in(world)
    scheduled = await (await world.get(RequestDeletion))(owner, PASSWORD)

    assert scheduled.erasure_due_at == world.clock.now() + ERASURE_GRACE
    assert user(world, owner).status is AccountStatus.PENDING_DELETION
    sessions = world.database[AccountsState].sessions.values()
    assert all(not session.active for session in sessions)
    with pytest.raises(Exception, match="session has ended"):
        await (await world.get(Authenticate))(token)

    # Signing in works during the grace period and says so; only owner routes accept it.
    tokens = await (await world.get(Login))(EMAIL, PASSWORD, DEVICE)
    assert tokens.deletion_pending
    assert tokens.erasure_due_at == scheduled.erasure_due_at
    with pytest.raises(PermissionDenied) as refused:
        await (await world.get(Authenticate))(tokens.access_token)
    assert refused.value.code == "deletion_pending"
    again = await (await world.get(Authenticate)).owner(tokens.access_token)
    me = await (await world.get(GetMe))(again)
    assert me.deletion_pending
    assert me.erasure_due_at == scheduled.erasure_due_at

    # Asking again keeps the first date.
    world.clock.advance(timedelta(days=3))
    repeated = await (await world.get(RequestDeletion))(again, PASSWORD)
    assert repeated.erasure_due_at == scheduled.erasure_due_at


async def test_cancelling_within_the_grace_period_restores_the_account() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    await (await world.get(RequestDeletion))(owner, PASSWORD)
    tokens = await (await world.get(Login))(EMAIL, PASSWORD, DEVICE)
    owner = await (await world.get(Authenticate)).owner(tokens.access_token)

    world.clock.advance(ERASURE_GRACE - timedelta(minutes=1))
    await (await world.get(CancelDeletion))(owner)
    assert user(world, owner).status is AccountStatus.ACTIVE
    assert user(world, owner).erasure_due_at is None
    fresh = await (await world.get(Login))(EMAIL, PASSWORD, DEVICE)
    assert not fresh.deletion_pending
    assert isinstance(await (await world.get(Authenticate))(fresh.access_token), Principal)
    with pytest.raises(NotFound) as nothing:
        await (await world.get(CancelDeletion))(owner)
    assert nothing.value.code == "deletion_not_pending"


async def test_cancelling_after_the_grace_period_is_refused() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    await (await world.get(RequestDeletion))(owner, PASSWORD)
    world.clock.advance(ERASURE_GRACE)
    with pytest.raises(Conflict) as late:
        await (await world.get(CancelDeletion))(owner)
    assert late.value.code == "erasure_started"


async def test_reminders_go_7_3_and_1_days_before_each_once() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    await (await world.get(RequestDeletion))(owner, PASSWORD)
    world.mailer.sent.clear()
    subjects = []
    for _day in range(31):
        for _run in range(2):  # a second worker, or Beat firing twice
            await (await world.get(QueueErasureReminders))()
        await world.deliver_jobs()
        subjects += [mail.subject for mail in world.mailer.to(EMAIL)]
        world.mailer.sent.clear()
        world.clock.advance(timedelta(days=1))
    assert [subject.rsplit(" in ", 1)[1] for subject in subjects] == ["7 days", "3 days", "1 day"]


@settings(max_examples=budget(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=30 * 24), min_size=1, max_size=12))
def test_reminders_never_repeat_and_never_come_early(run_hours: list[int]) -> None:
    """Whenever the job runs, each reminder goes at most once, nearer ones after farther
    ones, and only within its number of days before the erasure."""

    async def scenario() -> None:
        world = FakeWorld()
        _, owner = await signed_in(world)
        due = (await (await world.get(RequestDeletion))(owner, PASSWORD)).erasure_due_at
        start = world.clock.now()
        sent: list[int] = []
        for hours in sorted(set(run_hours)):
            world.clock.current = start + timedelta(hours=hours)
            world.mailer.sent.clear()
            await (await world.get(QueueErasureReminders))()
            await world.deliver_jobs(only={accounts_topics.SEND_ERASURE_REMINDER})
            for mail in world.mailer.to(EMAIL):
                days = int(mail.subject.rsplit(" in ", 1)[1].split()[0])
                assert due - world.clock.now() <= timedelta(days=days)
                sent.append(days)
        assert sent == sorted(set(sent), reverse=True)

    import asyncio

    asyncio.run(scenario())


async def test_the_erasure_job_erases_due_accounts_once() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    member = owner.principal.user_id
    await (await world.get(RequestDeletion))(owner, PASSWORD)
    await world.deliver_jobs()

    world.clock.advance(ERASURE_GRACE - timedelta(seconds=1))
    assert await run_job(world.container, ERASE_DUE_ACCOUNTS) == 0
    assert member in world.database[AccountsState].users

    world.clock.advance(timedelta(seconds=1))
    assert await run_job(world.container, ERASE_DUE_ACCOUNTS) == 1
    assert member not in world.database[AccountsState].users
    assert await run_job(world.container, ERASE_DUE_ACCOUNTS) == 0


async def test_two_racing_workers_claim_an_account_once() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    await (await world.get(RequestDeletion))(owner, PASSWORD)
    world.clock.advance(ERASURE_GRACE)
    first = await (await world.get(ClaimDueErasures))()
    second = await (await world.get(ClaimDueErasures))()
    assert first.members == (owner.principal.user_id,)
    assert second.members == ()
    erase = await world.get(EraseAccount)
    assert await erase(owner.principal.user_id, first.claimed_at) is not None
    # A stale claim (a worker that lost its lease) finds nothing left to do.
    assert await erase(owner.principal.user_id, first.claimed_at) is None


async def test_an_operator_erases_at_once_by_email() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    claimed = await (await world.get(ClaimErasureNow))(EMAIL.upper())
    outcome = await (await world.get(EraseAccount))(claimed.members[0], claimed.claimed_at)
    assert outcome is not None
    assert outcome.rows > 0
    assert owner.principal.user_id not in world.database[AccountsState].users
    with pytest.raises(NotFound):
        await (await world.get(ClaimErasureNow))(EMAIL)


async def test_a_member_who_forgot_their_password_can_still_cancel() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    await (await world.get(RequestDeletion))(owner, PASSWORD)
    await world.deliver_jobs()
    world.mailer.sent.clear()
    await (await world.get(RequestPasswordReset))(EMAIL)
    await world.deliver_jobs()
    assert world.mailer.to(EMAIL), "the reset code is mailed during the grace period"
    new_password = "a brand new passphrase"
    await (await world.get(ConfirmPasswordReset))(
        EMAIL, world.secrets.issued_codes[-1], new_password
    )
    tokens = await (await world.get(Login))(EMAIL, new_password, DEVICE)
    assert tokens.deletion_pending
    again = await (await world.get(Authenticate)).owner(tokens.access_token)
    await (await world.get(CancelDeletion))(again)
    assert user(world, owner).status is AccountStatus.ACTIVE


async def test_the_erasure_deletes_the_members_export_archives_from_the_export_store() -> None:
    # Embedded, archives live in their own folder, not the photo store: deleting their
    # keys through the photo store left them behind (found when the two branches met).
    world = FakeWorld()
    _, owner = await signed_in(world)
    member = owner.principal.user_id
    await (await world.get(RequestDataExport))(owner.principal)
    await world.deliver_jobs()
    archives = [key for key in world.archives.blobs if key.startswith(f"exports/{member}/")]
    assert len(archives) == 1

    claimed = await (await world.get(ClaimErasureNow))(EMAIL)
    outcome = await (await world.get(EraseAccount))(member, claimed.claimed_at)

    assert outcome is not None
    assert outcome.blobs >= 1
    assert not [key for key in world.archives.blobs if str(member) in key]


async def test_an_archive_no_row_names_is_erased_from_the_export_store() -> None:
    # An archive uploaded by a build whose final save failed has no row naming it: only
    # the declared prefix finds it, and it must be listed in the store the declaration
    # names (listing the photo store never saw the separate archive folder).
    world = FakeWorld()
    _, owner = await signed_in(world)
    member = owner.principal.user_id
    orphan = archive_key_for(member, uuid4())
    await world.archives.put(orphan, b"PK\x05\x06" + bytes(18), "application/zip")

    claimed = await (await world.get(ClaimErasureNow))(EMAIL)
    outcome = await (await world.get(EraseAccount))(member, claimed.claimed_at)

    assert outcome is not None
    assert orphan not in world.archives.blobs


async def test_the_erasure_lists_only_the_members_own_folders() -> None:
    world = FakeWorld()
    _, owner = await signed_in(world)
    member = owner.principal.user_id
    theirs = f"{uuid4()}/{uuid4()}.jpg"
    await world.store.put(theirs, b"\xff\xd8\xff\xd9", "image/jpeg")

    claimed = await (await world.get(ClaimErasureNow))(EMAIL)
    await (await world.get(EraseAccount))(member, claimed.claimed_at)

    # Never the whole store: each listing asked for one of the member's prefixes.
    listed = [*world.store.listed_prefixes, *world.archives.listed_prefixes]
    assert listed
    assert all(prefix.startswith((f"{member}/", f"exports/{member}/")) for prefix in listed)
    assert theirs in world.store.blobs
