"""The personal-data contract's fixtures: request scopes of the production container (SQL
or fakes) with the other capabilities' seeding ports, and scans for a member's id in every
declared store, independent of the holders under test."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

import pytest
from dishka import AsyncContainer
from sqlalchemy import create_engine, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy.privacy import personal_data_gaps
from saltbitter.adapters.sqlalchemy.schema import metadata
from saltbitter.application.ports.privacy import PersonalData
from saltbitter.entrypoints.capabilities.privacy import PERSONAL_DATA
from saltbitter.entrypoints.composition import make_container
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.contracts.privacy import PersonalDataContract, ReferenceScan
from saltbitter.testing.contracts.scopes import RequestScope, Resolver
from saltbitter.testing.fakes_accounts import AccountsState
from saltbitter.testing.memory import InMemoryDatabase

# Not member data in the registry's sense: messages (declared as payloads) and aggregates.
_NOT_SCANNED = {"OutboxState.messages", "OutboxState.dispatched", "AssessmentsState.norms"}


async def sql_references(
    engine: AsyncEngine, declarations: Sequence[PersonalData], member: UUID
) -> dict[str, int]:
    """Rows naming the member in a declared column (or JSON key) of each declared table;
    for a table reached through another, its rows whose parent names the member or is
    missing."""
    found: dict[str, int] = {}
    async with engine.connect() as connection:
        for declaration in declarations:
            for declared in declaration.tables:
                table = metadata.tables[declared.name]
                clauses = [table.c[name] == member for name in declared.member_columns]
                for column, keys in declared.json_member_keys.items():
                    clauses += [table.c[column][k].as_string() == str(member) for k in keys]
                via = declared.reached_through
                if via is not None:
                    parent = metadata.tables[via.table]
                    parent_decl = declaration.table(via.table)
                    named = select(parent.c[via.key]).where(
                        or_(*(parent.c[n] == member for n in parent_decl.member_columns))
                    )
                    clauses += [
                        table.c[via.column].in_(named),
                        table.c[via.column].not_in(select(parent.c[via.key])),
                    ]
                count = select(func.count()).select_from(table).where(or_(*clauses))
                found[declared.name] = (await connection.execute(count)).scalar_one()
    return found


def memory_references(database: InMemoryDatabase, member: UUID) -> dict[str, int]:
    """Places anywhere in the fakes' state (keys and values, deep) holding the member's id,
    by top-level field; a refresh token counts when its session names the member or is
    gone."""
    found: dict[str, int] = {}
    for kind, state in database.states.items():
        for field in dataclasses.fields(state):
            name = f"{kind.__name__}.{field.name}"
            if name not in _NOT_SCANNED:
                found[name] = _count(getattr(state, field.name), member)
    accounts = database[AccountsState]
    found["AccountsState.refresh_tokens"] = sum(
        1
        for token in accounts.refresh_tokens.values()
        if token.session_id not in accounts.sessions
        or accounts.sessions[token.session_id].user_id == member
    )
    return found


def _count(value: object, member: UUID) -> int:
    if value == member or value == str(member):
        return 1
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_count(getattr(value, f.name), member) for f in dataclasses.fields(value))
    if isinstance(value, Mapping):
        return sum(_count(k, member) + _count(v, member) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(_count(item, member) for item in value)
    return 0


def container_scopes(container: AsyncContainer) -> RequestScope:
    """Each call: a new request scope of ``container`` (a new connection)."""

    @asynccontextmanager
    async def scope() -> AsyncIterator[Resolver]:
        async with container() as request:
            yield request

    return scope


class SqlPersonalDataContract(PersonalDataContract):
    """The export/erase contract through the production container on SQL; subclasses
    bring ``engine`` and ``database_url`` (the same, emptied database)."""

    @pytest.fixture
    async def request_scope(self, database_url: str, tmp_path: Path) -> AsyncIterator[RequestScope]:
        settings = Settings(database_url=database_url, data_dir=tmp_path)
        container = make_container(settings)
        yield container_scopes(container)
        await container.close()

    @pytest.fixture
    def references(self, engine: AsyncEngine) -> ReferenceScan:
        async def scan(member: UUID) -> dict[str, int]:
            return await sql_references(engine, PERSONAL_DATA, member)

        return scan


def schema_gaps(sync_database_url: str, *extra_ddl: str) -> list[str]:
    """What the personal-data check reports on that database, after ``extra_ddl``."""
    engine = create_engine(sync_database_url)
    try:
        with engine.begin() as connection:
            for ddl in extra_ddl:
                connection.execute(text(ddl))
            return personal_data_gaps(connection, PERSONAL_DATA)
    finally:
        engine.dispose()
