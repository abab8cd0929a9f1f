"""Audit entries: every moderator action and every check-in step is recorded."""

from __future__ import annotations

from uuid import UUID

from saltbitter.application.ports.safety import AuditEntry, ModerationAudit
from saltbitter.application.ports.system import Clock, IdGenerator
from saltbitter.domain.shared import UserId

__all__ = ["record"]


def record(
    audit: ModerationAudit,
    clock: Clock,
    ids: IdGenerator,
    *,
    actor: UserId | None,
    action: str,
    subject: UserId | None = None,
    object_id: UUID | None = None,
    detail: str = "",
) -> None:
    audit.append(
        AuditEntry(ids.new_id(), actor, action, subject, object_id, detail[:2000], clock.now())
    )
