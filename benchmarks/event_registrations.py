"""``python -m benchmarks.event_registrations DATABASE_URL [--crowd N] [--seats S]``:
how long a crowd of simultaneous registrations for one event takes on PostgreSQL.

Registrations queue on the event's row lock (ADR 0028), so they are served one at a
time; this prints the wall time of the whole burst and the median and worst latency of
one registration, through the production container, after a first burst on another
event has filled the connection pool. The database must be migrated;
the run adds its members and its event and leaves them there (use a scratch database).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.accounts import SqlaUserRepository
from saltbitter.adapters.sqlalchemy.events import SqlaEventStore
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.adapters.sqlalchemy.transaction import SqlaTransaction
from saltbitter.application.events.members import Register
from saltbitter.application.ports.community_events import CommunityEvent
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.events import EventKind, EventStatus, RegistrationStatus
from saltbitter.domain.shared import Role, SessionId, Tier, UserId
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.builders import a_user


async def _seed(url: str, crowd: int, seats: int) -> tuple[UUID, list[UserId]]:
    engine = create_engine_for(url)
    db = StagedConnection(engine)
    try:
        transaction = SqlaTransaction(db)
        async with transaction:
            users = [a_user() for _ in range(crowd)]
            repository = SqlaUserRepository(db)
            for user in users:
                repository.add(user)
            now = datetime.now(UTC)
            event = CommunityEvent(
                uuid4(),
                EventKind.SPEED_DATING,
                "Benchmark",
                "",
                now + timedelta(days=3),
                60,
                seats,
                0,
                EventStatus.SCHEDULED,
                now,
                now,
            )
            SqlaEventStore(db).add(event)
            await transaction.commit()
    finally:
        await db.close()
        await engine.dispose()
    return event.id, [user.id for user in users]


async def run(url: str, crowd: int, seats: int) -> None:
    warm_up, first_crowd = await _seed(url, crowd, seats)
    event_id, members = await _seed(url, crowd, seats)
    with tempfile.TemporaryDirectory() as data_dir:
        container = await build_container(
            Settings(data_dir=Path(data_dir), database_url=url, environment="test")
        )
        try:
            latencies: list[float] = []

            async def register(member: UserId, event_id: UUID) -> RegistrationStatus:
                started = time.perf_counter()
                principal = Principal(
                    member, SessionId(uuid4()), frozenset({Role.MEMBER}), Tier.FREE, True
                )
                async with container() as scope:
                    answer = await (await scope.get(Register))(principal, event_id)
                latencies.append(time.perf_counter() - started)
                return answer.status

            # A first burst on another event fills the connection pool.
            await asyncio.gather(*(register(m, warm_up) for m in first_crowd))
            latencies.clear()
            started = time.perf_counter()
            statuses = await asyncio.gather(*(register(m, event_id) for m in members))
            wall = time.perf_counter() - started
        finally:
            await stop_container(container)
    seated = statuses.count(RegistrationStatus.REGISTERED)
    print(f"{crowd} registrations for {seats} seats: {seated} seated, {crowd - seated} waitlisted")
    print(
        f"wall {wall * 1000:.0f} ms, median {statistics.median(latencies) * 1000:.0f} ms, "
        f"worst {max(latencies) * 1000:.0f} ms per registration"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.event_registrations", description=__doc__
    )
    parser.add_argument(
        "database_url", help="a migrated PostgreSQL database (postgresql+psycopg://...)"
    )
    parser.add_argument("--crowd", type=int, default=50)
    parser.add_argument("--seats", type=int, default=20)
    args = parser.parse_args(argv)
    asyncio.run(run(args.database_url, args.crowd, args.seats))


if __name__ == "__main__":
    main()
