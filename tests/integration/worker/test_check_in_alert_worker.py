"""A real Celery worker (two prefork children) sweeps overdue check-ins from several
concurrent Beat-style tasks, and each trusted contact is emailed exactly once."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from saltbitter.adapters.mail import read_eml
from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.application.ports.safety import CheckIn
from saltbitter.application.safety.topics import SWEEP_OVERDUE_CHECK_INS
from saltbitter.domain.matching import MatchPair
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.builders import a_user
from support.celery_worker import wait_until
from support.safety import sql_safety_ports

CHECK_INS = 12
SWEEPS = 6


async def _overdue_check_ins(settings: Settings) -> list[str]:
    engine = create_engine_for(settings.effective_database_url)
    ports = sql_safety_ports(engine)
    now = datetime.now(UTC)
    contacts = [f"contact-{n}-{uuid.uuid4().hex[:6]}@example.org" for n in range(CHECK_INS)]
    try:
        async with ports() as p, p.transaction:
            ada, bo = a_user(), a_user()
            p.users.add(ada)
            p.users.add(bo)
            match, _ = await p.matching.create_match(uuid.uuid4(), MatchPair(ada.id, bo.id), now)
            for n, contact in enumerate(contacts):
                p.check_ins.add(
                    CheckIn(
                        id=uuid.uuid4(),
                        member_id=ada.id,
                        match_id=match.id,
                        starts_at=now - timedelta(hours=3),
                        check_in_by=now - timedelta(minutes=n + 1),
                        contact_name="Sam",
                        contact_email=contact,
                        created_at=now - timedelta(hours=3),
                    )
                )
            await p.transaction.commit()
    finally:
        await engine.dispose()
    return contacts


def test_racing_sweeps_alert_every_contact_exactly_once(
    worker: Path, worker_settings: Settings
) -> None:
    contacts = asyncio.run(_overdue_check_ins(worker_settings))
    app = celery_app_for(worker_settings)
    sweeps = [app.send_task(SWEEP_OVERDUE_CHECK_INS, kwargs={"payload": {}}) for _ in range(SWEEPS)]
    claimed = [sweep.get(timeout=60) for sweep in sweeps]
    assert sum(claimed) == CHECK_INS  # each check-in claimed by exactly one sweep

    mail_folder = worker_settings.mail_folder

    def recipients() -> list[str]:
        return [read_eml(path).to for path in mail_folder.glob("*.eml")]

    wait_until(lambda: set(contacts) <= set(recipients()), 60, worker)
    time.sleep(2)  # any duplicate alert would have arrived by now
    sent = recipients()
    assert sorted(sent) == sorted(contacts)
