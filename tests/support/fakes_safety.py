"""Safety's role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.safety import (
    AppealStore,
    BlockReads,
    BlockStore,
    CheckInStore,
    HeldMessageStore,
    MemberDirectory,
    MemberStanding,
    ModerationAudit,
    ReportStore,
    RoleAssignments,
    SafetyMatches,
)
from saltbitter.testing.fakes_safety import (
    InMemoryAppealStore,
    InMemoryBlockReads,
    InMemoryBlockStore,
    InMemoryCheckInStore,
    InMemoryHeldMessageStore,
    InMemoryMemberDirectory,
    InMemoryMemberStanding,
    InMemoryModerationAudit,
    InMemoryReportStore,
    InMemoryRoleAssignments,
    InMemorySafetyMatches,
)

__all__ = ["SafetyFakes"]


class SafetyFakes(Provider):
    scope = Scope.REQUEST

    block_reads = provide(InMemoryBlockReads, provides=BlockReads, override=True)
    blocks = provide(InMemoryBlockStore, provides=BlockStore, override=True)
    members = provide(InMemoryMemberDirectory, provides=MemberDirectory, override=True)
    reports = provide(InMemoryReportStore, provides=ReportStore, override=True)
    audit = provide(InMemoryModerationAudit, provides=ModerationAudit, override=True)
    appeals = provide(InMemoryAppealStore, provides=AppealStore, override=True)
    standing = provide(InMemoryMemberStanding, provides=MemberStanding, override=True)
    roles = provide(InMemoryRoleAssignments, provides=RoleAssignments, override=True)
    matches = provide(InMemorySafetyMatches, provides=SafetyMatches, override=True)
    check_ins = provide(InMemoryCheckInStore, provides=CheckInStore, override=True)
    held_messages = provide(InMemoryHeldMessageStore, provides=HeldMessageStore, override=True)
