"""``python -m benchmarks.request_statements``: what one request costs the database.

Creates a fresh PostgreSQL database, migrates it, seeds a demo community (``--members``,
through the real use cases), signs ``demo-1`` in over the API (in-process, Litestar's
test client, embedded cache and in-process jobs, so only the database is counted), warms
``GET /api/v1/matches/daily`` once, then counts for one more ``GET /api/v1/matches/daily``
and for one ``POST /api/v1/likes`` (on the first member of the daily set): SQL
statements, connection checkouts from the pool and transactions (commits + rollbacks).
Outbox relaying after the like runs as in-process jobs and is counted separately.
The database is dropped at the end. Issue 9's narrow ports are measured against these
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.migrate import upgrade
from saltbitter.application.accounts.admin import DEMO_PASSWORD
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.demo import seed_demo_community
from saltbitter.entrypoints.http.app import create_app
from saltbitter.entrypoints.settings import Settings

from .daily_job import ADMIN_URL

_WIRE = re.compile(r"\tF\t\d+\t(Execute|Query)\b")


@contextmanager
def counting(engine: Engine) -> Iterator[Counter[str]]:
    """Counts statements, pool checkouts and transaction ends on ``engine`` meanwhile, and
    the commands PostgreSQL ran (libpq's protocol trace: an Execute per statement, a
    Query per simple command such as BEGIN, COMMIT or ROLLBACK; each one a round trip,
    besides psycopg's occasional extra one to prepare a statement)."""
    counts: Counter[str] = Counter()
    trace = tempfile.TemporaryFile("w+")  # noqa: SIM115  # closed below, after the hooks

    def traced(dbapi_connection: Any, *_args: object) -> None:
        dbapi_connection._connection.pgconn.trace(trace.fileno())

    def untraced(dbapi_connection: Any, *_args: object) -> None:
        dbapi_connection._connection.pgconn.untrace()

    def statement(*_args: object) -> None:
        counts["statements"] += 1

    def checkout(*_args: object) -> None:
        counts["checkouts"] += 1

    def ended(*_args: object) -> None:
        counts["transactions"] += 1

    hooks = [
        (engine, "before_cursor_execute", statement),
        (engine.pool, "checkout", checkout),
        (engine, "commit", ended),
        (engine, "rollback", ended),
        (engine.pool, "checkout", traced),
        (engine.pool, "checkin", untraced),
    ]
    for target, name, hook in hooks:
        event.listen(target, name, hook)
    try:
        yield counts
    finally:
        for target, name, hook in hooks:
            event.remove(target, name, hook)
        trace.seek(0)
        counts["round_trips"] = len(_WIRE.findall(trace.read()))
        trace.close()


async def measure(members: int) -> None:
    name = f"saltbitter_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{ADMIN_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                data_dir=Path(folder),
                environment="test",
                database_url=url,
                tasks="in_process",
                in_process_schedule=False,
                auth_rate_limit_per_minute=10_000,
                user_rate_limit_per_minute=10_000,
            )
            upgrade(settings.effective_database_url)
            seeding = await build_container(settings)
            try:
                await seed_demo_community(seeding, members)
            finally:
                await stop_container(seeding)
            app = create_app(settings, configure_logs=False)
            async with AsyncTestClient(app, base_url="http://127.0.0.1") as client:
                engine = (await app.state.dishka_container.get(AsyncEngine)).sync_engine
                login = await client.post(
                    "/api/v1/auth/login",
                    json={"email": "demo-1@saltbitter.test", "password": DEMO_PASSWORD},
                )
                login.raise_for_status()
                auth = {"authorization": f"Bearer {login.json()['access_token']}"}
                warm = await client.get("/api/v1/matches/daily", headers=auth)
                warm.raise_for_status()
                target = warm.json()["items"][0]["member"]["user_id"]
                with counting(engine) as daily:
                    (await client.get("/api/v1/matches/daily", headers=auth)).raise_for_status()
                (await client.get("/api/v1/discover", headers=auth)).raise_for_status()
                with counting(engine) as discover:
                    (await client.get("/api/v1/discover", headers=auth)).raise_for_status()
                (await client.get("/api/v1/me", headers=auth)).raise_for_status()
                with counting(engine) as me:
                    (await client.get("/api/v1/me", headers=auth)).raise_for_status()
                with counting(engine) as like:
                    answer = await client.post(
                        "/api/v1/likes", json={"user_id": target}, headers=auth
                    )
                    answer.raise_for_status()
                with counting(engine) as after:
                    await asyncio.sleep(1.0)  # the outbox relay and its jobs, in-process
            print(f"members seeded: {members}")
            for label, counts in (
                ("GET /api/v1/me (warm)", me),
                ("GET /api/v1/matches/daily (warm)", daily),
                ("GET /api/v1/discover (warm)", discover),
                ("POST /api/v1/likes", like),
                ("  jobs in the second after the like", after),
            ):
                print(
                    f"{label:36} statements {counts['statements']:3}  "
                    f"checkouts {counts['checkouts']:2}  transactions {counts['transactions']:2}  "
                    f"commands sent {counts['round_trips']:3}"
                )
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40)
    asyncio.run(measure(parser.parse_args().members))


if __name__ == "__main__":
    main()
