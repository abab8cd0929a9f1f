"""A real Celery worker on Redis runs the mail job (via the outbox relay) and the purge."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from saltbitter.adapters.mail import read_eml
from saltbitter.adapters.sqlalchemy import SqlaUserRepository, StagedConnection, create_engine_for
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.application.accounts.dto import RegisterCommand
from saltbitter.application.accounts.registration import RegisterUser
from saltbitter.application.accounts.topics import PURGE_UNVERIFIED
from saltbitter.domain.accounts import AccountStatus, EmailAddress
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.builders import a_user
from support.celery_worker import wait_until


def test_registration_mail_is_sent_by_the_worker(worker: Path, worker_settings: Settings) -> None:
    email = f"worker-{uuid.uuid4().hex[:8]}@example.org"

    async def register() -> None:
        container = await build_container(worker_settings)
        try:
            async with container() as scope:
                register_user = await scope.get(RegisterUser)
                await register_user(
                    RegisterCommand(
                        email=email,
                        password="a long and lovely passphrase",
                        display_name="Wren",
                        birthdate=datetime(1990, 1, 1, tzinfo=UTC).date(),
                        timezone="Europe/Paris",
                        accept_terms=True,
                        accept_privacy=True,
                    )
                )
            # The commit woke the relay through Celery: nothing runs in this process.
            await asyncio.sleep(0.1)
        finally:
            await stop_container(container)

    asyncio.run(register())
    mail_folder = worker_settings.mail_folder
    log_path = worker_settings.data_dir / "worker.log"

    def mail_arrived() -> bool:
        return any(read_eml(p).to == email for p in mail_folder.glob("*.eml"))

    wait_until(mail_arrived, 30, log_path)
    [message] = [m for m in map(read_eml, mail_folder.glob("*.eml")) if m.to == email]
    assert "verification code" in message.subject.lower()
    assert any(part.isdigit() and len(part) == 6 for part in message.text.replace(".", " ").split())


def test_purge_task_deletes_stale_unverified_accounts(
    worker: Path, worker_settings: Settings
) -> None:
    stale = a_user(
        status=AccountStatus.PENDING_VERIFICATION,
        created_at=datetime.now(UTC) - timedelta(hours=25),
    )
    fresh = replace(a_user(status=AccountStatus.PENDING_VERIFICATION), created_at=datetime.now(UTC))

    async def store_and_check(expect_stale_gone: bool) -> tuple[bool, bool]:
        engine = create_engine_for(worker_settings.effective_database_url)
        db = StagedConnection(engine)
        try:
            users, transaction = SqlaUserRepository(db), SqlaTransaction(db)
            if not expect_stale_gone:
                async with transaction:
                    users.add(stale)
                    users.add(fresh)
                    await transaction.commit()
            return (
                await users.get_by_email(stale.email) is not None,
                await users.get_by_email(EmailAddress(fresh.email.value)) is not None,
            )
        finally:
            await db.close()
            await engine.dispose()

    assert asyncio.run(store_and_check(False)) == (True, True)
    purge = celery_app_for(worker_settings).send_task(PURGE_UNVERIFIED, kwargs={"payload": {}})
    assert purge.get(timeout=60) == 1
    assert asyncio.run(store_and_check(True)) == (False, True)
