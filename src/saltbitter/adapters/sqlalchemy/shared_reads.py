"""SQL pieces that several repositories share: the ledgers' "current row" rules and
advisory-lock keys, written once so that every read applies the same rule."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, ScalarSelect, Select, any_, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from saltbitter.adapters.sqlalchemy.staging import NEEDS_TRANSACTION
from saltbitter.adapters.sqlalchemy.tables import consents, users
from saltbitter.adapters.sqlalchemy.tables_members import assessments
from saltbitter.domain.accounts import ConsentPurpose

__all__ = [
    "advisory_key",
    "advisory_lock",
    "among",
    "current_sensitive_consent",
    "latest_assessment_id",
]


def among(column: ColumnElement[Any], values: Collection[Any], dialect: str) -> ColumnElement[bool]:
    """``column IN values``. On PostgreSQL one array parameter (``= ANY(:values)``): the
    statement's text is the same whatever the length, so SQLAlchemy compiles it once and
    skips the per-call expansion of an ``IN`` list (ADR 0036). Elsewhere (SQLite, which
    has no arrays) the expanding ``IN``."""
    if dialect == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(list(values))


def advisory_key(namespace: bytes, *ids: UUID) -> int:
    """A signed 64-bit advisory-lock key (collisions, also across namespaces, only
    serialise more)."""
    digest = hashlib.blake2b(namespace + b"".join(i.bytes for i in ids), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def advisory_lock(namespace: bytes, *ids: UUID) -> Select[Any]:
    """PostgreSQL: take the transaction-scoped advisory lock named by ``ids``; it is held
    until commit or rollback."""
    lock = select(func.pg_advisory_xact_lock(advisory_key(namespace, *ids)))
    return lock.execution_options(**{NEEDS_TRANSACTION: True})  # never in autocommit


def latest_assessment_id(*, per_instrument: bool = False) -> ScalarSelect[Any]:
    """The id of each member's newest assessment, correlated to ``users`` (of the
    instrument bound as ``instrument`` when ``per_instrument``).

    Correlated "latest row" lookups rather than window functions: each is an index probe
    per member, so the plan stays linear even before the planner has statistics (a
    fresh or bulk-loaded table made a window-function join go quadratic)."""
    statement = select(assessments.c.id).where(assessments.c.user_id == users.c.id)
    if per_instrument:
        statement = statement.where(assessments.c.instrument == bindparam("instrument"))
    return (
        statement.order_by(assessments.c.taken_at.desc(), assessments.c.id.desc())
        .limit(1)
        .correlate(users)
        .scalar_subquery()
    )


def current_sensitive_consent() -> ScalarSelect[Any]:
    """Whether each member's ``sensitive_data`` consent currently stands, correlated to
    ``users``: the consent ledger's rule, newest record first, then insertion order."""
    return (
        select(consents.c.granted)
        .where(
            consents.c.user_id == users.c.id,
            consents.c.purpose == ConsentPurpose.SENSITIVE_DATA.value,
        )
        .order_by(consents.c.recorded_at.desc(), consents.c.id.desc())
        .limit(1)
        .correlate(users)
        .scalar_subquery()
    )
