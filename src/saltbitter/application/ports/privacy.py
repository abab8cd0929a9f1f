"""The personal-data registry: what each capability holds about a member, and how it
exports and erases it (ADR 0018).

A capability declares its data once, as a ``PersonalData`` value; its holders (SQL and
in-memory) implement ``PersonalDataHolder`` from that declaration. A schema test fails when
a migrated table refers to members without being declared, so new tables cannot slip out
of export and erasure.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from saltbitter.domain.shared import UserId

__all__ = [
    "BlobPrefix",
    "BlobStore",
    "Erasure",
    "ErasureReport",
    "ExportedRow",
    "MemberExport",
    "PairedIn",
    "PersonalData",
    "PersonalDataHolder",
    "PersonalDataHolders",
    "PersonalTable",
    "ReachedThrough",
]

ExportedRow = Mapping[str, object]
"""One row as the member sees it: JSON-able values (ids and times as strings)."""
MemberExport = Mapping[str, Sequence[ExportedRow]]
"""A capability's export: its declared table names to the member's rows."""


class Erasure(StrEnum):
    """What erasing a member does to the rows of a table."""

    DELETE = "delete"
    """Every row that names the member goes."""
    ANONYMISE = "anonymise"
    """Rows stay (the law or another member needs them) with the member columns cleared
    (set to null, with the table's ``cleared_with`` columns overwritten in the same rows).
    Rows failing the table's ``kept_if`` go instead, and so do rows left naming nobody in
    its ``deleted_when_unnamed`` columns (ADR 0035)."""


class BlobStore(StrEnum):
    """Which blob store a declared key lives in: each is a port of its own, and the
    two may be different places (embedded mode keeps archives in a folder of their own)."""

    PHOTOS = "photos"
    """``PhotoStore``: profile photos and message pictures."""
    EXPORTS = "exports"
    """``ExportArchives``: data export archives."""


@dataclass(frozen=True, slots=True)
class BlobPrefix:
    """A key template in one blob store (``{member}`` is the member id) under which
    everything is the member's: erasure lists the store by it and deletes what it finds."""

    template: str
    store: BlobStore

    def for_member(self, member: UserId) -> str:
        return self.template.format(member=member)


@dataclass(frozen=True, slots=True)
class ReachedThrough:
    """A table without a member column whose rows belong to a member through a foreign
    key to another declared table (``refresh_tokens.session_id`` -> ``sessions.id``)."""

    column: str
    table: str
    key: str = "id"


@dataclass(frozen=True, slots=True)
class PairedIn:
    """Rows of a table naming two members (``pair``) that another table (``table``)
    also names together in ``columns``, either way round (a match whose members have a
    block between them)."""

    table: str
    columns: tuple[str, str]
    pair: tuple[str, str]


@dataclass(frozen=True, slots=True)
class PersonalTable:
    """One table holding member data.

    ``member_columns`` are every column that names a member (the schema test checks the
    list is complete); ``exported_by`` are those whose rows are the member's own and go
    into the export (default: all of them). Rows that name the member only as someone
    else's counterpart (a pass they received, a place in another member's daily set) are
    that other member's data: not exported, but erased. ``withheld`` columns are secrets
    (hashes) left out of the export. ``why`` says why ``erasure`` is right for the table.
    """

    name: str
    member_columns: tuple[str, ...]
    erasure: Erasure
    why: str
    exported_by: tuple[str, ...] | None = None
    withheld: tuple[str, ...] = ()
    reached_through: ReachedThrough | None = None
    # Extra equality filters for exported rows of a column (``{"target_id": ("decision",
    # "like")}``: received likes are exported, received passes are not).
    export_only_if: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # JSON columns whose keys hold a member id as a string. A row naming the member only
    # there belongs to someone else (a match notice about them): erased, not exported.
    json_member_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # A column holding blob storage keys: erasure reports the keys of the rows it erased
    # (deleted, or anonymised with the key column cleared by ``cleared_with``). They live
    # in ``blob_store``.
    blob_key_column: str | None = None
    blob_store: BlobStore = BlobStore.PHOTOS
    # ANONYMISE only. Rows naming the member are kept only when every column here holds
    # one of the listed values (None: SQL null); the others are deleted.
    kept_if: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    # ANONYMISE only. Rows naming the member whose pair is also in one of these tables
    # are deleted rather than kept (a blocked conversation's history stays hidden).
    dropped_if_paired_in: tuple[PairedIn, ...] = ()
    # ANONYMISE only. When a member column is cleared, these columns of the same rows
    # are overwritten too (the member's own words in a message they sent).
    cleared_with: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    # ANONYMISE only. A kept row whose columns here are all null after clearing names
    # nobody any more (both members of a match erased): it is deleted.
    deleted_when_unnamed: tuple[str, ...] = ()

    @property
    def exporting_columns(self) -> tuple[str, ...]:
        return self.member_columns if self.exported_by is None else self.exported_by


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything one capability holds about members, outside and inside the database.

    ``blob_prefixes`` are key templates in a named blob store, ``cache_keys`` cache key
    templates (``{member}`` is the member id), ``payloads`` the outbox topics and jobs
    whose payloads carry member ids (with the keys that do).
    """

    capability: str
    tables: tuple[PersonalTable, ...]
    blob_prefixes: tuple[BlobPrefix, ...] = ()
    cache_keys: tuple[str, ...] = ()
    payloads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self, name: str) -> PersonalTable:
        return next(table for table in self.tables if table.name == name)


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What ``erase`` did: rows per table, and per table the blob keys (in the table's
    ``blob_store``) the caller must delete once the transaction has committed (deleting
    bytes first could lose photos of a rolled-back erasure; a key left behind is an
    orphan the photo sweep removes anyway)."""

    capability: str
    rows: Mapping[str, int]
    blob_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class PersonalDataHolder(Protocol):
    """One capability's member data over the current transaction."""

    @property
    @abstractmethod
    def declaration(self) -> PersonalData: ...

    @abstractmethod
    async def export(self, member: UserId) -> MemberExport:
        """Every declared table's rows for the member, in the member's own view."""

    @abstractmethod
    async def erase(self, member: UserId) -> ErasureReport:
        """Delete (or anonymise) every row naming the member in any declared column."""


@dataclass(frozen=True, slots=True)
class PersonalDataHolders:
    """The registry's holders in erasure order (accounts last), all on the request's one
    connection, so an export or an erasure runs in one transaction."""

    holders: tuple[PersonalDataHolder, ...]
