"""Moderation over HTTP under /api/v1/moderation (issue 10): the review queue, decisions,
appeals and the audit log. Anyone without the moderator or admin role gets 403."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from saltbitter.application.safety.appellants import Appellant
from saltbitter.application.safety.moderation import (
    FileAppeal,
    ListAudit,
    ModerationQueue,
    ResolveAppeal,
    ResolveHeldMessage,
    ResolveReport,
)
from saltbitter.application.safety.views import (
    AppealView,
    AuditPage,
    QueuePage,
    ResolvedReportView,
)
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.safety import MAX_NOTE, MAX_SUSPENSION_DAYS, ModerationAction
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import CURSOR_PATTERN, documented

__all__ = [
    "ROUTES",
    "AppealDecision",
    "AppealRequest",
    "ModerationController",
    "ResolveRequest",
]

Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        pattern=CURSOR_PATTERN,
        required=False,
        description="The next_cursor of the previous page (omit for the first page).",
    ),
]
Note = Annotated[
    str,
    msgspec.Meta(max_length=4000, description="Why (shown in the audit log)"),
    documented(min_length=1, max_length=MAX_NOTE),
]


class ResolveRequest(msgspec.Struct, forbid_unknown_fields=True):
    action: Annotated[
        str,
        msgspec.Meta(max_length=32),
        documented(enum=[action.value for action in ModerationAction]),
    ]
    note: Note
    days: Annotated[
        int | None,
        msgspec.Meta(description="Suspension length (suspend only)"),
        documented(minimum=1, maximum=MAX_SUSPENSION_DAYS),
    ] = None


class ResolvedReport(msgspec.Struct):
    id: UUID
    reported_id: UUID
    action: str
    resolved_at: str
    suspended_until: str | None


def _resolved(done: ResolvedReportView) -> ResolvedReport:
    return ResolvedReport(
        done.id,
        done.reported_id,
        done.action.value,
        done.resolved_at.isoformat(),
        None if done.suspended_until is None else done.suspended_until.isoformat(),
    )


class AppealRequest(msgspec.Struct, forbid_unknown_fields=True):
    report_id: UUID
    text: Annotated[
        str,
        msgspec.Meta(max_length=8000, description="10 to 2000 characters"),
        documented(min_length=10, max_length=2000),
    ]


class AppealDecision(msgspec.Struct, forbid_unknown_fields=True):
    upheld: bool
    note: Note


class ModerationController(Controller):
    path = "/moderation"
    tags = ["moderation"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/queue",
        summary="Open reports and held messages: escalated members first, then by severity and age",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def moderation_queue(
        self,
        principal: FromDishka[Principal],
        queue: FromDishka[ModerationQueue],
        cursor: Cursor = None,
    ) -> QueuePage:
        return await queue(principal, cursor)

    @post(
        "/reports/{report_id:uuid}/resolve",
        status_code=HTTP_200_OK,
        summary="Decide a report: dismiss, warn, suspend for N days or ban",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def resolve_report(
        self,
        report_id: FromPath[UUID],
        data: JSONBody[ResolveRequest],
        principal: FromDishka[Principal],
        resolve: FromDishka[ResolveReport],
    ) -> ResolvedReport:
        return _resolved(await resolve(principal, report_id, data.action, data.days, data.note))

    @post(
        "/messages/{message_id:uuid}/resolve",
        status_code=HTTP_200_OK,
        summary="Decide a held message about its sender: dismiss, warn, suspend or ban",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def resolve_held_message(
        self,
        message_id: FromPath[UUID],
        data: JSONBody[ResolveRequest],
        principal: FromDishka[Principal],
        resolve: FromDishka[ResolveHeldMessage],
    ) -> ResolvedReport:
        return _resolved(await resolve(principal, message_id, data.action, data.days, data.note))

    @post(
        "/appeals",
        status_code=HTTP_201_CREATED,
        summary="Appeal a decision taken against you (open to suspended members too)",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED),
        opt={"caller": Appellant},
    )
    async def file_appeal(
        self,
        data: JSONBody[AppealRequest],
        appellant: FromDishka[Appellant],
        file_appeal: FromDishka[FileAppeal],
    ) -> AppealView:
        return await file_appeal(appellant.principal, data.report_id, data.text)

    @post(
        "/appeals/{appeal_id:uuid}/resolve",
        status_code=HTTP_200_OK,
        summary="Decide an appeal (upheld: the member is reinstated)",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 422, LIMITED),
    )
    async def resolve_appeal(
        self,
        appeal_id: FromPath[UUID],
        data: JSONBody[AppealDecision],
        principal: FromDishka[Principal],
        resolve: FromDishka[ResolveAppeal],
    ) -> AppealView:
        return await resolve(principal, appeal_id, upheld=data.upheld, note=data.note)

    @get(
        "/audit",
        summary="The append-only audit log of moderator and safety actions (admins only)",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def audit_log(
        self,
        principal: FromDishka[Principal],
        list_audit: FromDishka[ListAudit],
        cursor: Cursor = None,
    ) -> AuditPage:
        return await list_audit(principal, cursor)


ROUTES: list[type[Controller]] = [ModerationController]
