"""Export and erasure of a capability's member data, driven by its declaration (ADR 0018).

One class serves every capability: the declaration names the tables, the member columns
and what erasure does, so a new capability needs no SQL of its own here. It works on the
request's ``StagedConnection`` (dishka's ``PrivacyProvider``) inside the caller's
transaction and never commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    delete,
    exists,
    false,
    inspect,
    or_,
    select,
    true,
    update,
)

from saltbitter.adapters.sqlalchemy.schema import metadata
from saltbitter.adapters.sqlalchemy.staging import StagedConnection
from saltbitter.application.ports.privacy import (
    Erasure,
    ErasureReport,
    ExportedRow,
    MemberExport,
    PairedIn,
    PersonalData,
    PersonalDataHolder,
    PersonalTable,
)
from saltbitter.domain.shared import UserId

__all__ = ["MEMBER_COLUMN_NAME", "SqlaPersonalData", "jsonable", "personal_data_gaps"]

MEMBERS_TABLE = "users"
MEMBER_COLUMN_NAME = re.compile(r"(.+_)?(user|member)_id|.+_by")
"""Names that mean "a member" even without a foreign key (``matches.unmatched_by``)."""


def jsonable(value: object) -> object:
    """A column value as JSON: ids and times as strings, documents as they are."""
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class SqlaPersonalData(PersonalDataHolder):
    __slots__ = ("_db", "_declaration")

    def __init__(self, declaration: PersonalData, db: StagedConnection) -> None:
        self._declaration = declaration
        self._db = db

    @property
    def declaration(self) -> PersonalData:
        return self._declaration

    async def export(self, member: UserId) -> MemberExport:
        exported: dict[str, list[ExportedRow]] = {}
        for declared in self._declaration.tables:
            table = metadata.tables[declared.name]
            shown = [column for column in table.c if column.name not in declared.withheld]
            statement = (
                select(*shown)
                .where(self._owned(declared, member))
                .order_by(*table.primary_key.columns)
            )
            rows = (await self._db.execute(statement)).mappings()
            exported[declared.name] = [
                {name: jsonable(value) for name, value in row.items()} for row in rows
            ]
        return exported

    async def erase(self, member: UserId) -> ErasureReport:
        # Kept principals and views of the member go everywhere once this commits.
        self._db.principal_changed(member)
        counts: dict[str, int] = {}
        blob_keys: dict[str, tuple[str, ...]] = {}
        for declared in self._declaration.tables:
            table = metadata.tables[declared.name]
            naming = self._naming(declared, member)
            keys: list[str] = []
            if declared.erasure is Erasure.DELETE:
                keys.extend(await self._blob_keys(declared, naming))
                result = await self._db.execute(delete(table).where(naming))
                counts[declared.name] = result.rowcount
            else:
                counts[declared.name] = await self._anonymise(table, declared, member, naming, keys)
            if keys:
                blob_keys[declared.name] = tuple(sorted(keys))
        return ErasureReport(self._declaration.capability, counts, blob_keys)

    async def _blob_keys(self, declared: PersonalTable, where: ColumnElement[bool]) -> list[str]:
        if declared.blob_key_column is None:
            return []
        table = metadata.tables[declared.name]
        keys = await self._db.execute(select(table.c[declared.blob_key_column]).where(where))
        return [str(key) for key in keys.scalars() if key is not None]

    async def _anonymise(
        self,
        table: Table,
        declared: PersonalTable,
        member: UserId,
        naming: ColumnElement[bool],
        blob_keys: list[str],
    ) -> int:
        touched = 0
        if declared.kept_if or declared.dropped_if_paired_in:
            kept = and_(
                true(),
                *(_one_of(table, name, allowed) for name, allowed in declared.kept_if.items()),
                *(~_paired(table, paired) for paired in declared.dropped_if_paired_in),
            )
            dropped = and_(naming, ~kept)
            blob_keys.extend(await self._blob_keys(declared, dropped))
            touched += (await self._db.execute(delete(table).where(dropped))).rowcount
        for name in declared.member_columns:
            rows = table.c[name] == member
            also = dict(declared.cleared_with.get(name, {}))
            if declared.blob_key_column in also:
                blob_keys.extend(await self._blob_keys(declared, rows))
            result = await self._db.execute(update(table).where(rows).values({name: None, **also}))
            touched += result.rowcount
        if declared.deleted_when_unnamed:
            unnamed = and_(*(table.c[name].is_(None) for name in declared.deleted_when_unnamed))
            await self._db.execute(delete(table).where(unnamed))
        return touched

    def _owned(self, declared: PersonalTable, member: UserId) -> ColumnElement[bool]:
        """Rows that are the member's own (exported)."""
        table = metadata.tables[declared.name]
        if declared.reached_through is not None:
            return self._through(declared, member, own=True)
        clauses: list[ColumnElement[bool]] = []
        for name in declared.exporting_columns:
            clause = table.c[name] == member
            condition = declared.export_only_if.get(name)
            if condition is not None:
                clause = and_(clause, table.c[condition[0]] == condition[1])
            clauses.append(clause)
        return or_(false(), *clauses)

    def _naming(self, declared: PersonalTable, member: UserId) -> ColumnElement[bool]:
        """Every row that names the member anywhere (erased)."""
        table = metadata.tables[declared.name]
        if declared.reached_through is not None:
            return self._through(declared, member, own=False)
        clauses: list[ColumnElement[bool]] = [
            table.c[name] == member for name in declared.member_columns
        ]
        for column, keys in declared.json_member_keys.items():
            clauses.extend(table.c[column][key].as_string() == str(member) for key in keys)
        return or_(false(), *clauses)

    def _through(
        self, declared: PersonalTable, member: UserId, *, own: bool
    ) -> ColumnElement[bool]:
        via = declared.reached_through
        if via is None:
            raise ValueError(f"{declared.name} is not reached through another table")
        parent = self._declaration.table(via.table)
        parent_table = metadata.tables[parent.name]
        parent_rows = self._owned(parent, member) if own else self._naming(parent, member)
        keys = select(parent_table.c[via.key]).where(parent_rows)
        return metadata.tables[declared.name].c[via.column].in_(keys)


def _paired(table: Table, paired: PairedIn) -> ColumnElement[bool]:
    other = metadata.tables[paired.table]
    first, second = (other.c[name] for name in paired.columns)
    low, high = (table.c[name] for name in paired.pair)
    return exists().where(
        or_(and_(first == low, second == high), and_(first == high, second == low))
    )


def _one_of(table: Table, name: str, allowed: tuple[str | None, ...]) -> ColumnElement[bool]:
    values = [value for value in allowed if value is not None]
    clauses: list[ColumnElement[bool]] = [table.c[name].in_(values)] if values else []
    if None in allowed:
        clauses.append(table.c[name].is_(None))
    return or_(false(), *clauses)


def personal_data_gaps(connection: Connection, declarations: Sequence[PersonalData]) -> list[str]:
    """What the migrated schema and the declarations disagree on, one line each.

    A column refers to a member when it has a foreign key to ``users.id`` or a member's
    name (``MEMBER_COLUMN_NAME``); ``users.id`` itself is one. A table with such a column
    must be declared with all of them as member columns. A table without one that has a
    foreign key to a declared table holds that table's members' data (``refresh_tokens``
    -> ``sessions``) and must be declared too, ``reached_through`` that key. Every
    declared table and column must exist.
    """
    inspector = inspect(connection)
    existing = {name: inspector.get_columns(name) for name in inspector.get_table_names()}
    existing.pop("alembic_version", None)
    declared = {table.name: table for d in declarations for table in d.tables}
    gaps: list[str] = []
    member_refs: dict[str, set[str]] = {}
    parents: dict[str, set[str]] = {}
    for name, columns in existing.items():
        keys = inspector.get_foreign_keys(name)
        refs = {
            column
            for key in keys
            if key["referred_table"] == MEMBERS_TABLE and key["referred_columns"] == ["id"]
            for column in key["constrained_columns"]
        }
        refs |= {c["name"] for c in columns if MEMBER_COLUMN_NAME.fullmatch(c["name"])}
        if name == MEMBERS_TABLE:
            refs.add("id")
        member_refs[name] = refs
        parents[name] = {key["referred_table"] for key in keys} - {MEMBERS_TABLE}
    for name, refs in sorted(member_refs.items()):
        table = declared.get(name)
        if table is None:
            if refs:
                gaps.append(f"{name}: refers to members ({', '.join(sorted(refs))}) undeclared")
            elif parents[name] & declared.keys():
                via = ", ".join(sorted(parents[name] & declared.keys()))
                gaps.append(f"{name}: holds rows of declared {via} but is undeclared")
            continue
        missing = refs - set(table.member_columns)
        if missing:
            gaps.append(f"{name}: member columns not declared: {', '.join(sorted(missing))}")
    for name, table in sorted(declared.items()):
        if name not in existing:
            gaps.append(f"{name}: declared but not in the schema")
            continue
        names = {c["name"] for c in existing[name]}
        unknown = sorted(set(_declared_columns(table)) - names)
        if unknown:
            gaps.append(f"{name}: declared columns not in the schema: {', '.join(unknown)}")
        if table.reached_through is not None and table.reached_through.table not in declared:
            gaps.append(f"{name}: reached through undeclared {table.reached_through.table}")
        if not table.member_columns and table.reached_through is None:
            gaps.append(f"{name}: declares no member column and no reached_through")
    return sorted(gaps)


def _declared_columns(table: PersonalTable) -> Iterable[str]:
    yield from table.member_columns
    yield from table.exporting_columns
    yield from table.withheld
    yield from table.json_member_keys
    yield from (column for column, _ in table.export_only_if.values())
    yield from table.export_only_if
    if table.blob_key_column is not None:
        yield table.blob_key_column
    yield from table.kept_if
    yield from table.cleared_with
    for cleared in table.cleared_with.values():
        yield from cleared
    yield from table.deleted_when_unnamed
    if table.reached_through is not None:
        yield table.reached_through.column
