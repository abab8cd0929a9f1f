"""Data export through the production container with the fakes: the archive holds every
capability's data of the member and nothing of another member's; one per 24 hours; a
signed link for 7 days; only the member's own export; the ready email."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from datetime import timedelta
from uuid import uuid4

import pytest

from saltbitter.application.ports.privacy import PersonalDataHolders
from saltbitter.application.privacy import topics
from saltbitter.application.privacy.exports import (
    BuildDataExport,
    GetDataExport,
    RequestDataExport,
)
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.errors import NotFound, QuotaExceeded, Unavailable
from saltbitter.domain.privacy.exports import ExportStatus
from saltbitter.domain.shared import Role, SessionId, UserId
from saltbitter.testing.builders_profiles import a_photo
from saltbitter.testing.contracts.privacy import World, seed_world
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.fakes_profiles import ProfilesState
from support.container import FakeWorld
from support.privacy import container_scopes


def _principal(member: UserId) -> Principal:
    return Principal(member, SessionId(uuid4()), frozenset({Role.MEMBER}), "free", True)


async def _seeded(world: FakeWorld) -> World:
    seeded = await seed_world(container_scopes(world.container))
    # The photos' bytes, as the upload stored them.
    await world.store.put(seeded.my_photo_key, b"my-photo-bytes", "image/jpeg")
    others = [
        photo.storage_key
        for photo in world.database[ProfilesState].photos.values()
        if photo.user_id != seeded.me
    ]
    for key in others:
        await world.store.put(key, b"someone-elses-photo", "image/jpeg")
    # The world seeds an earlier export of the member (on 2026-03-01): a day later.
    world.clock.advance(timedelta(days=60))
    return seeded


def _archive(world: FakeWorld, key: str) -> zipfile.ZipFile:
    blob = world.archives.blobs[key][0]
    return zipfile.ZipFile(io.BytesIO(blob))


async def test_the_archive_holds_every_capabilitys_data_and_nothing_of_another_member() -> None:
    world = FakeWorld()
    seeded = await _seeded(world)
    me = _principal(seeded.me)

    request_id = await (await world.get(RequestDataExport))(me)
    pending = await (await world.get(GetDataExport))(me, request_id)
    assert (pending.status, pending.url, pending.expires_at) == (ExportStatus.PENDING, None, None)

    ran = await world.deliver_jobs()
    assert topics.BUILD_DATA_EXPORT in ran
    await world.deliver_jobs()  # the ready email's job

    ready = await (await world.get(GetDataExport))(me, request_id)
    assert ready.status is ExportStatus.READY
    assert ready.expires_at == world.clock.now() + timedelta(days=7)
    assert ready.url is not None
    key = f"exports/{seeded.me}/{request_id}.zip"
    assert world.archives.fetch(ready.url) == (world.archives.blobs[key][0], "application/zip")

    holders = (await world.get(PersonalDataHolders)).holders
    declared = {h.declaration.capability: h.declaration for h in holders}
    with _archive(world, key) as archive:
        names = set(archive.namelist())
        photo_name = f"photos/{seeded.my_photo_key.rsplit('/', 1)[-1]}"
        assert names == {"README.md", photo_name} | {f"{c}.json" for c in declared}
        assert archive.read(photo_name) == b"my-photo-bytes"
        readme = archive.read("README.md").decode()
        documents = {
            name: json.loads(archive.read(name)) for name in names if name.endswith(".json")
        }
        everything = "\n".join(archive.read(name).decode(errors="replace") for name in names)
    for capability, declaration in declared.items():
        document = documents[f"{capability}.json"]
        assert document["member_id"] == str(seeded.me)
        assert set(document["tables"]) == {t.name for t in declaration.tables}
        assert f"### {capability}.json" in readme
        for table in declaration.tables:
            assert f"`{table.name}`" in readme
            # The seeded world gives the member rows in every declared table.
            assert document["tables"][table.name], (capability, table.name)
    # Another member's secrets stay out: their account, their photo, their hashes.
    users = world.database[AccountsState].users
    for member in (seeded.other, seeded.third):
        assert users[member].email.value not in everything
    assert b"someone-elses-photo" not in world.archives.blobs[key][0]
    assert documents["accounts.json"]["tables"]["users"] == [
        row for row in documents["accounts.json"]["tables"]["users"] if row["id"] == str(seeded.me)
    ]
    assert "password_hash" not in everything

    (mail,) = world.mailer.to(users[seeded.me].email.value)
    assert mail.subject == "Your SaltBitter data export is ready"
    assert "7 days" in mail.text


async def test_one_export_per_24_hours_with_the_time_to_wait() -> None:
    world = FakeWorld()
    me = await world.member()
    request = await world.get(RequestDataExport)
    await request(me)
    world.clock.advance(timedelta(hours=23))
    with pytest.raises(QuotaExceeded) as refused:
        await (await world.get(RequestDataExport))(me)
    assert refused.value.code == "export_rate_limited"
    assert refused.value.retry_after_seconds == 3600
    world.clock.advance(timedelta(hours=1))
    assert await (await world.get(RequestDataExport))(me)


async def test_another_members_export_is_not_found_and_the_link_ends_after_7_days() -> None:
    world = FakeWorld()
    ada = await world.member("ada@example.org")
    bob = await world.member("bob@example.org")
    request_id = await (await world.get(RequestDataExport))(ada)
    await world.deliver_jobs()
    with pytest.raises(NotFound) as missing:
        await (await world.get(GetDataExport))(bob, request_id)
    assert missing.value.code == "data_export_not_found"
    with pytest.raises(NotFound):
        await (await world.get(GetDataExport))(ada, uuid4())
    world.clock.advance(timedelta(days=7))
    expired = await (await world.get(GetDataExport))(ada, request_id)
    assert (expired.status, expired.url) == (ExportStatus.READY, None)


class _BrokenStore:
    async def get(self, key: str) -> bytes | None:
        raise Unavailable("down", code="photo_storage_unavailable")


async def test_a_failed_build_is_reported_as_failed_and_not_retried() -> None:
    world = FakeWorld()
    me = await world.member()
    photo = a_photo(me.user_id)
    world.database[ProfilesState].photos[photo.id] = photo
    request_id = await (await world.get(RequestDataExport))(me)
    build = await world.get(BuildDataExport)
    broken = dataclasses.replace(build, photos=_BrokenStore())  # type: ignore[arg-type]
    with pytest.raises(Unavailable):
        await broken(request_id)
    failed = await (await world.get(GetDataExport))(me, request_id)
    assert (failed.status, failed.url) == (ExportStatus.FAILED, None)
    assert await build(request_id) is False  # a retried job leaves a failed export alone
