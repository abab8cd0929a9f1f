"""A real Celery worker (two prefork children) on PostgreSQL + Redis builds a data export
archive and mails its member; two racing `notify-members` runs queue each affected
member's breach notice exactly once, and the worker mails each of them once."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
import zipfile
from pathlib import Path
from uuid import uuid4

from dishka import AsyncContainer

from saltbitter.adapters.mail import read_eml
from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.privacy_rights import ExportArchives
from saltbitter.application.ports.transaction import Transaction
from saltbitter.application.privacy.breaches import (
    AffectedMembers,
    NotifyBreachMembers,
    RecordBreach,
)
from saltbitter.application.privacy.exports import GetDataExport, RequestDataExport
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.privacy.exports import ExportStatus
from saltbitter.domain.shared import Role, SessionId, UserId
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.builders import a_user
from support.celery_worker import wait_until

MEMBERS = 7


async def _members(container: AsyncContainer, count: int) -> list[tuple[UserId, str]]:
    users = [a_user(f"privacy-{uuid.uuid4().hex[:8]}@example.org") for _ in range(count)]
    async with container() as scope:
        transaction, repository = await scope.get(Transaction), await scope.get(UserRepository)
        async with transaction:
            for user in users:
                repository.add(user)
            await transaction.commit()
    return [(user.id, user.email.value) for user in users]


def _principal(member: UserId) -> Principal:
    return Principal(member, SessionId(uuid4()), frozenset({Role.MEMBER}), "free", True)


def _recipients(settings: Settings) -> list[str]:
    return [read_eml(path).to for path in settings.mail_folder.glob("*.eml")]


def test_the_worker_builds_the_archive_and_mails_the_member(
    worker: Path, worker_settings: Settings
) -> None:
    async def scenario() -> tuple[str, bytes | None, str]:
        container = await build_container(worker_settings)
        try:
            ((member, email),) = await _members(container, 1)
            async with container() as scope:
                request_id = await (await scope.get(RequestDataExport))(_principal(member))
            deadline = time.monotonic() + 60
            while True:
                async with container() as scope:
                    view = await (await scope.get(GetDataExport))(_principal(member), request_id)
                if view.status is not ExportStatus.PENDING or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            archives = await container.get(ExportArchives)
            blob = await archives.get(f"exports/{member}/{request_id}.zip")
            return view.status.value, blob, email
        finally:
            await stop_container(container)

    status, blob, email = asyncio.run(scenario())
    assert status == "ready", worker.read_text(errors="replace")[-3000:]
    assert blob is not None
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert {"README.md", "accounts.json", "privacy.json"} <= set(archive.namelist())
        assert email in archive.read("accounts.json").decode()
    wait_until(lambda: email in _recipients(worker_settings), 60, worker)


def test_racing_member_notices_go_out_once_each(worker: Path, worker_settings: Settings) -> None:
    async def scenario() -> tuple[list[int], list[str]]:
        container = await build_container(worker_settings)
        try:
            members = await _members(container, MEMBERS)
            async with container() as scope:
                record = await scope.get(RecordBreach)
                done = await record(
                    "Racing notices",
                    ["email"],
                    AffectedMembers(member_ids=tuple(member for member, _ in members)),
                    actor="test",
                )

            async def notify() -> int:
                async with container() as scope:
                    run = await scope.get(NotifyBreachMembers)
                    return await run(done.breach.id, actor="test")

            NotifyBreachMembers.BATCH_SIZE = 2  # several batches, interleaving
            try:
                counts = await asyncio.gather(*(notify() for _ in range(3)))
            finally:
                NotifyBreachMembers.BATCH_SIZE = 200
            return list(counts), [email for _, email in members]
        finally:
            await stop_container(container)

    counts, emails = asyncio.run(scenario())
    assert sum(counts) == MEMBERS
    wait_until(lambda: set(emails) <= set(_recipients(worker_settings)), 60, worker)
    time.sleep(2)  # a duplicate notice would have arrived by now
    sent = [to for to in _recipients(worker_settings) if to in set(emails)]
    assert sorted(sent) == sorted(emails)
