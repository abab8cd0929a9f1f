"""The erasure, proven by search (docs/privacy.md): a member with data in every declared
table, photos in S3 and keys in Redis asks for deletion; once the grace period is over,
two erasure workers race; then every table and column (from ``information_schema``),
every S3 key and object and every Redis key and value is searched for the member's id
(hex and UUID forms), email and display name. Only the declared retained (anonymised)
records may remain, and they must not name the member either.

The search iterates the schema, so tables added later are covered without a change here;
``seed_world`` (the personal-data contract's seed) puts rows in every declared table.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest
import redis.asyncio as aioredis
from mypy_boto3_s3 import S3Client
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.accounts.deletion import AccountOwner, RequestDeletion
from saltbitter.application.matching.caching import daily_key, discover_key
from saltbitter.application.ports.cache import Cache
from saltbitter.application.ports.events import JobQueue
from saltbitter.application.ports.photo_storage import PhotoStore
from saltbitter.application.ports.privacy import Erasure
from saltbitter.application.ports.security import PasswordHasher
from saltbitter.application.privacy.erasure import ERASE_DUE_ACCOUNTS
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.shared import Role, SessionId, Tier
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.jobs import InProcessJobQueue, run_job
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.contracts.privacy import World, seed_world
from support.privacy import container_scopes

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
DISPLAY_NAME = "Quillon Vantaberg"
RETAINED = frozenset(
    table.name
    for declaration in PERSONAL_DATA
    for table in declaration.tables
    if table.erasure is Erasure.ANONYMISE
)
"""Tables whose rows stay anonymised: payment records (the law), and matches and
messages the other member keeps as their history (ADR 0035)."""
RETAINED_MEMBER_COLUMNS = frozenset(
    f"{table.name}.{column}"
    for declaration in PERSONAL_DATA
    for table in declaration.tables
    if table.erasure is Erasure.ANONYMISE
    for column in table.member_columns
)


@dataclass(frozen=True)
class Needles:
    id: UUID
    email: str

    @property
    def all(self) -> tuple[str, ...]:
        return (str(self.id), self.id.hex, self.email, DISPLAY_NAME)

    def found_in(self, value: str | bytes) -> list[str]:
        haystack = value if isinstance(value, str) else value.decode("utf-8", "replace")
        lowered = haystack.lower()
        return [needle for needle in self.all if needle.lower() in lowered]


async def database_hits(engine: AsyncEngine, needles: Needles) -> dict[str, list[str]]:
    """table.column -> needles found, over every column of every table in the schema."""
    hits: dict[str, list[str]] = {}
    async with engine.connect() as connection:
        columns = (
            await connection.execute(
                text(
                    "SELECT c.table_name, c.column_name FROM information_schema.columns c"
                    " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
                    " AND t.table_name = c.table_name"
                    " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
                    " ORDER BY c.table_name, c.ordinal_position"
                )
            )
        ).all()
        tables: dict[str, list[str]] = {}
        for table, column in columns:
            tables.setdefault(table, []).append(column)
        assert "users" in tables, "the schema was not found"
        assert len(tables) > 20
        for table, names in tables.items():
            selected = ", ".join(f'CAST("{name}" AS TEXT)' for name in names)
            rows = (await connection.execute(text(f'SELECT {selected} FROM "{table}"'))).all()
            for row in rows:
                for name, value in zip(names, row, strict=True):
                    if value is not None and (found := needles.found_in(value)):
                        hits.setdefault(f"{table}.{name}", []).extend(found)
    return hits


def bucket_hits(s3: S3Client, bucket: str, needles: Needles) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            key = item["Key"]
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            found = needles.found_in(key) + needles.found_in(body)
            if found:
                hits[key] = found
    return hits


async def redis_hits(url: str, needles: Needles) -> dict[str, list[str]]:
    """Every key of the Redis database, whatever its prefix, and every value."""
    client = aioredis.Redis.from_url(url)
    hits: dict[str, list[str]] = {}
    try:
        async for raw_key in client.scan_iter(count=500):
            key = raw_key.decode("utf-8", "replace")
            kind = (await client.type(raw_key)).decode()
            if kind == "string":
                values = [await client.get(raw_key) or b""]
            elif kind == "hash":
                pairs = await client.hgetall(raw_key)
                values = [*pairs.keys(), *pairs.values()]
            elif kind == "list":
                values = await client.lrange(raw_key, 0, -1)
            elif kind == "set":
                values = list(await client.smembers(raw_key))
            elif kind == "zset":
                values = await client.zrange(raw_key, 0, -1)
            else:
                values = [await client.dump(raw_key) or b""]
            found = needles.found_in(key) + [n for v in values for n in needles.found_in(v)]
            if found:
                hits[key] = found
    finally:
        await client.aclose()
    return hits


@pytest.fixture
async def settings(
    postgres_databases: object,
    redis_url: str,
    redis_prefix: str,
    s3_endpoint: str,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    database_url = postgres_databases()  # type: ignore[operator]
    upgrade(database_url)
    return Settings(
        data_dir=tmp_path,
        environment="test",
        jwt_secret="test-secret-" + "x" * 40,
        database_url=database_url,
        redis_url=redis_url,
        redis_key_prefix=f"{redis_prefix}erasure:",
        tasks="in_process",
        in_process_schedule=False,
        s3_bucket=bucket,
        s3_endpoint_url=s3_endpoint,
        s3_region="eu-central-1",
    )


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(settings.effective_database_url)
    yield engine
    await engine.dispose()


async def test_after_the_erasure_nothing_names_the_member(
    settings: Settings, engine: AsyncEngine, s3: S3Client, bucket: str
) -> None:
    container = await build_container(settings)
    try:
        world: World = await seed_world(container_scopes(container))
        me = world.me
        hasher = await container.get(PasswordHasher)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE users SET display_name = :name, password_hash = :hash,"
                    " status = 'active' WHERE id = :id"
                ),
                {"name": DISPLAY_NAME, "hash": await hasher.hash(PASSWORD), "id": me},
            )
            email = (
                await connection.execute(text("SELECT email FROM users WHERE id = :id"), {"id": me})
            ).scalar_one()
        needles = Needles(me, email)

        # Photos in S3 (the photos row's key, and a stray blob under the member's prefix),
        # the member's caches in Redis.
        store = await container.get(PhotoStore)
        await store.put(world.my_photo_key, f"photo of {me}".encode(), "image/jpeg")
        await store.put(f"{me}/stray.webp", f"{DISPLAY_NAME}".encode(), "image/webp")
        await store.put(f"{world.other}/kept.webp", b"someone else's", "image/webp")
        cache = await container.get(Cache)
        await cache.set_value(daily_key(me), {"members": [str(world.other)]}, 3600)
        await cache.set_value(discover_key(me), {"members": [str(world.third)]}, 3600)
        assert bucket_hits(s3, bucket, needles)
        assert await redis_hits(settings.redis_url or "", needles)
        assert await database_hits(engine, needles)

        # The member asks; 30 days later (moved by hand) two workers race to erase.
        async with container() as scope:
            owner = AccountOwner(
                Principal(me, SessionId(me), frozenset({Role.MEMBER}), Tier.FREE, True)
            )
            await (await scope.get(RequestDeletion))(owner, PASSWORD)
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE users SET erasure_due_at = now() - interval '1 second'")
            )
        erased = await asyncio.gather(
            run_job(container, ERASE_DUE_ACCOUNTS), run_job(container, ERASE_DUE_ACCOUNTS)
        )
        assert sorted(erased) == [0, 1]  # type: ignore[type-var]
        queue = await container.get(JobQueue)
        assert isinstance(queue, InProcessJobQueue)
        await queue.drain()

        found = await database_hits(engine, needles)
        outside = {
            place: hit for place, hit in found.items() if place.split(".")[0] not in RETAINED
        }
        assert outside == {}
        # Retained records keep no member column; the provider's own ids stay (the seed's
        # customer id embeds the member id; a real provider's does not).
        assert not {place for place in found if place in RETAINED_MEMBER_COLUMNS}
        async with engine.connect() as connection:
            kept = (
                await connection.execute(text("SELECT count(*) FROM payment_subscriptions"))
            ).scalar_one()
        assert kept >= 1, "payment records are kept, anonymised"
        assert bucket_hits(s3, bucket, needles) == {}
        # Photos live under the bucket's photos/ prefix (the photo CDN's origin path).
        assert f"photos/{world.other}/kept.webp" in {
            item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        }
        assert await redis_hits(settings.redis_url or "", needles) == {}
    finally:
        await stop_container(container)
