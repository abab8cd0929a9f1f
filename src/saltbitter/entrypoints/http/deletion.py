"""Account deletion over HTTP: /api/v1/me/deletion (docs/privacy.md).

A member whose account awaits erasure can still call these (and ``GET /me``, and sign out
everywhere): they receive an ``AccountOwner``, not a ``Principal``.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from saltbitter.application.accounts.deletion import AccountOwner, CancelDeletion, RequestDeletion
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import Password

__all__ = ["ROUTES", "DeletionController", "DeletionRequest", "DeletionScheduledView"]

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]
LIMITED = 429


class DeletionRequest(msgspec.Struct, forbid_unknown_fields=True):
    password: Password


class DeletionScheduledView(msgspec.Struct):
    erasure_due_at: datetime


class DeletionController(Controller):
    path = "/me/deletion"
    tags = ["privacy"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_202_ACCEPTED,
        summary="Delete my account: deactivated now, erased after 30 days unless cancelled",
        description=(
            "Checks the password (403 `wrong_password`), hides the account from everyone at "
            "once, closes every session and schedules the erasure of everything held about "
            "the member in 30 days; reminders are emailed 7, 3 and 1 days before. Signing "
            "in still works until then (the token answer says `deletion_pending`), so the "
            "member can cancel. Asking again keeps the first date."
        ),
        security=BEARER,
        opt={"caller": AccountOwner},
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def request_deletion(
        self,
        data: JSONBody[DeletionRequest],
        owner: FromDishka[AccountOwner],
        request_deletion: FromDishka[RequestDeletion],
    ) -> DeletionScheduledView:
        scheduled = await request_deletion(owner, data.password)
        return DeletionScheduledView(scheduled.erasure_due_at)

    @delete(
        "/",
        status_code=HTTP_204_NO_CONTENT,
        summary="Cancel my account's deletion during the grace period",
        description=(
            "The account is active and visible again. 404 `deletion_not_pending` when no "
            "deletion is pending; 409 `erasure_started` once the grace period is over."
        ),
        security=BEARER,
        opt={"caller": AccountOwner},
        responses=documented_errors(401, 403, 404, 409, LIMITED),
    )
    async def cancel_deletion(
        self, owner: FromDishka[AccountOwner], cancel: FromDishka[CancelDeletion]
    ) -> None:
        await cancel(owner)


ROUTES = [DeletionController]
