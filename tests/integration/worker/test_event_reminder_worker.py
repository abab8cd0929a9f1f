"""A real Celery worker (two prefork children) runs several event-reminder sweeps at
once, and each registrant is reminded exactly once."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from saltbitter.adapters.mail import read_eml
from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.application.events.topics import SEND_REMINDERS
from saltbitter.domain.events import RegistrationStatus
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.builders import a_user
from saltbitter.testing.contracts.events import a_registration, an_event
from support.celery_worker import wait_until
from support.events import sql_events_ports

REGISTRANTS = 12
SWEEPS = 6


async def _registrants(settings: Settings) -> list[str]:
    """An event in 5 hours with 12 seated members and one waitlisted (never reminded)."""
    engine = create_engine_for(settings.effective_database_url)
    ports = sql_events_ports(engine)
    try:
        async with ports() as p, p.transaction:
            users = [a_user() for _ in range(REGISTRANTS + 1)]
            for user in users:
                p.users.add(user)
            event = an_event(datetime.now(UTC) + timedelta(hours=5), capacity=REGISTRANTS)
            p.events.add(event)
            for n, user in enumerate(users, start=1):
                status = (
                    RegistrationStatus.REGISTERED
                    if n <= REGISTRANTS
                    else RegistrationStatus.WAITLISTED
                )
                await p.registrations.save(a_registration(event.id, user.id, n, status))
            await p.transaction.commit()
    finally:
        await engine.dispose()
    return [str(user.email) for user in users[:REGISTRANTS]]


def test_racing_sweeps_remind_every_registrant_exactly_once(
    worker: Path, worker_settings: Settings
) -> None:
    registrants = asyncio.run(_registrants(worker_settings))
    app = celery_app_for(worker_settings)
    sweeps = [app.send_task(SEND_REMINDERS, kwargs={"payload": {}}) for _ in range(SWEEPS)]
    claimed = [sweep.get(timeout=60) for sweep in sweeps]
    assert sum(claimed) == REGISTRANTS  # each reminder claimed by exactly one sweep

    mail_folder = worker_settings.mail_folder

    def recipients() -> list[str]:
        return [
            message.to
            for message in (read_eml(path) for path in mail_folder.glob("*.eml"))
            if message.subject.startswith("Reminder:")
        ]

    wait_until(lambda: set(registrants) <= set(recipients()), 60, worker)
    time.sleep(2)  # any duplicate reminder would have arrived by now
    assert sorted(recipients()) == sorted(registrants)
