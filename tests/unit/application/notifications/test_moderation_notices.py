"""A member a moderator warns, suspends or bans is told by email, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from saltbitter.application.notifications import topics
from saltbitter.application.notifications.messages import MODERATION_SUBJECTS, moderation_email
from saltbitter.application.outbox import RelayOutbox
from saltbitter.application.safety.moderation import ResolveReport
from saltbitter.application.safety.reports import ReportCommand, ReportMember
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role
from support.container import FakeWorld

NOON_LONDON = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ELEVEN_PM_LONDON = datetime(2026, 1, 15, 23, 0, tzinfo=UTC)

SUBJECTS = {
    "warn": MODERATION_SUBJECTS["moderation_warned"],
    "suspend": MODERATION_SUBJECTS["moderation_suspended"],
    "ban": MODERATION_SUBJECTS["moderation_banned"],
}


def _moderator(principal: Principal) -> Principal:
    return Principal(
        principal.user_id,
        principal.session_id,
        frozenset({Role.MEMBER, Role.MODERATOR}),
        principal.tier,
        True,
    )


async def _decide(world: FakeWorld, action: str) -> None:
    reporter = await world.member("ada@example.org")
    reported = await world.member("bo@example.org")
    moderator = _moderator(await world.member("mod@example.org"))
    await world.deliver_jobs()
    command = ReportCommand(
        user_id=reported.user_id, reason="harassment", details="Insulting messages.", block=False
    )
    report = await (await world.get(ReportMember))(reporter, command)
    days = 7 if action == "suspend" else None
    await (await world.get(ResolveReport))(moderator, report.id, action, days, "Rude")


@pytest.mark.parametrize("action", ["warn", "suspend", "ban"])
async def test_the_member_is_emailed_once_about_a_decision(
    world_at_noon: FakeWorld, action: str
) -> None:
    world = world_at_noon
    await _decide(world, action)
    await (await world.get(RelayOutbox))()
    world.queue.jobs = world.queue.jobs * 2  # at-least-once: every event arrives twice
    ran = await world.deliver_jobs()
    assert ran.count(topics.NOTIFY_MODERATION_DECISION) == 2
    await world.sweep()
    mails = [m for m in world.mailer.to("bo@example.org") if m.subject == SUBJECTS[action]]
    assert len(mails) == 1  # also to a suspended or banned account
    assert mails[0].text.startswith("Hi ")
    if action == "suspend":
        assert "7 days" in mails[0].text
    # Nobody else hears of it.
    for other in ("ada@example.org", "mod@example.org"):
        assert not [m for m in world.mailer.to(other) if m.subject in SUBJECTS.values()]


async def test_a_dismissal_emails_nobody(world_at_noon: FakeWorld) -> None:
    await _decide(world_at_noon, "dismiss")
    await world_at_noon.deliver_jobs()
    await world_at_noon.sweep()
    assert not [
        m for m in world_at_noon.mailer.to("bo@example.org") if m.subject in SUBJECTS.values()
    ]


async def test_the_email_waits_for_the_end_of_quiet_hours() -> None:
    world = FakeWorld()
    world.clock.current = ELEVEN_PM_LONDON
    await _decide(world, "warn")
    await world.deliver_jobs()
    assert [m.subject for m in world.mailer.to("bo@example.org")].count(SUBJECTS["warn"]) == 0
    world.clock.current = ELEVEN_PM_LONDON + timedelta(hours=9)
    await world.sweep()
    assert [m.subject for m in world.mailer.to("bo@example.org")].count(SUBJECTS["warn"]) == 1


def test_moderation_wording_is_calm() -> None:
    urgency = ("!", "hurry", "last chance", "act fast")
    for kind in MODERATION_SUBJECTS:
        subject, body = moderation_email(kind, "Robin", 1)
        for text in (subject, body):
            assert not any(word in text.lower() for word in urgency), text
        assert "Robin" in body
    assert "1 day." in moderation_email("moderation_suspended", "Robin", 1)[1].replace("\n", " ")


@pytest.fixture
def world_at_noon() -> FakeWorld:
    world = FakeWorld()
    world.clock.current = NOON_LONDON
    return world
