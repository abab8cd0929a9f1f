"""Community events over HTTP under /api/v1 (issue 11): admins create, change and
cancel events and mark attendance; members register (or join the waitlist), cancel, and
rate events they attended."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from saltbitter.application.events.admin import (
    CancelEvent,
    CreateEvent,
    EventChanges,
    MarkAttendance,
    UpdateEvent,
)
from saltbitter.application.events.members import (
    CancelRegistration,
    ListEvents,
    Register,
    ShowEvent,
    SubmitSurvey,
)
from saltbitter.application.events.views import (
    AttendanceView,
    EventsPage,
    EventView,
    RegistrationView,
    SurveyView,
)
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.events import (
    MAX_CAPACITY,
    MAX_COMMENT,
    MAX_DESCRIPTION,
    MAX_PRICE_CENTS,
    MAX_TITLE,
    EventKind,
)
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import CURSOR_PATTERN, documented

__all__ = [
    "ROUTES",
    "AttendanceRequest",
    "EventChangeRequest",
    "EventRequest",
    "EventsController",
    "SurveyRequest",
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

# Transport bounds are loose (one error list from the domain is clearer); the
# documented bounds are the domain's.
Title = Annotated[str, msgspec.Meta(max_length=4 * MAX_TITLE), documented(max_length=MAX_TITLE)]
Description = Annotated[
    str, msgspec.Meta(max_length=4 * MAX_DESCRIPTION), documented(max_length=MAX_DESCRIPTION)
]
Minutes = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1, description="5 to 1440")]
Seats = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1, description=f"1 to {MAX_CAPACITY}")]
Cents = Annotated[
    int, msgspec.Meta(ge=-(2**31), le=2**31 - 1, description=f"0 to {MAX_PRICE_CENTS}")
]
StartsAt = Annotated[datetime, msgspec.Meta(tz=True, description="In the future")]


class EventRequest(msgspec.Struct, forbid_unknown_fields=True):
    kind: Annotated[
        str,
        msgspec.Meta(
            max_length=64,
            description=(
                "speed_dating (default 20 seats, 60 min), workshop (50, 90), "
                "community_chat (100, 45) or custom (give capacity and duration_minutes)"
            ),
        ),
        documented(enum=[kind.value for kind in EventKind]),
    ]
    title: Title
    starts_at: StartsAt
    description: Description = ""
    duration_minutes: Minutes | None = None
    capacity: Seats | None = None
    price_cents: Cents | None = None


class EventChangeRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The fields to change (absent or null: unchanged). The kind never changes."""

    title: Title | None = None
    description: Description | None = None
    starts_at: StartsAt | None = None
    duration_minutes: Minutes | None = None
    capacity: Seats | None = None
    price_cents: Cents | None = None


class AttendanceRequest(msgspec.Struct, forbid_unknown_fields=True):
    member_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=1000)]


class SurveyRequest(msgspec.Struct, forbid_unknown_fields=True):
    rating: Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1, description="1 to 5")]
    comment: (
        Annotated[str, msgspec.Meta(max_length=4 * MAX_COMMENT), documented(max_length=MAX_COMMENT)]
        | None
    ) = None


class EventsController(Controller):
    path = "/events"
    tags = ["events"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Create an event (admins)",
        description=(
            "The kind fills in capacity and duration unless given. `starts_at` must be "
            "in the future (`in_the_past`); non-admins get `admin_required` (403)."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def create_event(
        self,
        data: JSONBody[EventRequest],
        principal: FromDishka[Principal],
        create_event: FromDishka[CreateEvent],
    ) -> EventView:
        return await create_event(
            principal,
            kind=data.kind,
            title=data.title,
            description=data.description,
            starts_at=data.starts_at,
            duration_minutes=data.duration_minutes,
            capacity=data.capacity,
            price_cents=data.price_cents,
        )

    @patch(
        "/{event_id:uuid}",
        status_code=HTTP_200_OK,
        summary="Change an event that has not started (admins)",
        description=(
            "More seats promote the waitlist in order; fewer seats than are taken is "
            "`capacity_below_registered` (422). A cancelled or started event is "
            "`event_cancelled` / `event_started` (409)."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED),
    )
    async def change_event(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[EventChangeRequest],
        principal: FromDishka[Principal],
        update_event: FromDishka[UpdateEvent],
    ) -> EventView:
        changes = EventChanges(
            title=data.title,
            description=data.description,
            starts_at=data.starts_at,
            duration_minutes=data.duration_minutes,
            capacity=data.capacity,
            price_cents=data.price_cents,
        )
        return await update_event(principal, event_id, changes)

    @post(
        "/{event_id:uuid}/cancel",
        status_code=HTTP_200_OK,
        summary="Cancel an event (admins); every registrant is told by email",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, LIMITED),
    )
    async def cancel_event(
        self,
        event_id: FromPath[UUID],
        principal: FromDishka[Principal],
        cancel_event: FromDishka[CancelEvent],
    ) -> EventView:
        return await cancel_event(principal, event_id)

    @post(
        "/{event_id:uuid}/attendance",
        status_code=HTTP_200_OK,
        summary="Mark members who attended (admins, once the event has started)",
        description="Each member must hold a seat (`not_registered`, 422).",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED),
    )
    async def mark_attendance(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[AttendanceRequest],
        principal: FromDishka[Principal],
        mark: FromDishka[MarkAttendance],
    ) -> AttendanceView:
        return await mark(principal, event_id, [UserId(m) for m in data.member_ids])

    @get(
        "/",
        summary="Upcoming events, soonest first (20 a page)",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def list_events(
        self,
        principal: FromDishka[Principal],
        list_events: FromDishka[ListEvents],
        cursor: Cursor = None,
    ) -> EventsPage:
        return await list_events(principal, cursor)

    @get(
        "/{event_id:uuid}",
        summary="One event, with your registration if you have one",
        security=BEARER,
        responses=documented_errors(401, 403, 404, LIMITED),
    )
    async def show_event(
        self,
        event_id: FromPath[UUID],
        principal: FromDishka[Principal],
        show_event: FromDishka[ShowEvent],
    ) -> EventView:
        return await show_event(principal, event_id)

    @post(
        "/{event_id:uuid}/registration",
        status_code=HTTP_201_CREATED,
        summary="Register: a seat, or a place on the waitlist when the seats are gone",
        description=(
            "A second registration is `already_registered` (409). A paid event needs a "
            "ticket (POST /purchases, item event_ticket) or your plan's monthly event "
            "allowance (Premium 1, Elite 2): without either, `ticket_required` (409)."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, LIMITED),
    )
    async def register_for_event(
        self,
        event_id: FromPath[UUID],
        principal: FromDishka[Principal],
        register: FromDishka[Register],
    ) -> RegistrationView:
        return await register(principal, event_id)

    @delete(
        "/{event_id:uuid}/registration",
        status_code=HTTP_204_NO_CONTENT,
        summary="Cancel your registration; the first on the waitlist gets the seat",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, LIMITED),
    )
    async def cancel_registration(
        self,
        event_id: FromPath[UUID],
        principal: FromDishka[Principal],
        cancel_registration: FromDishka[CancelRegistration],
    ) -> None:
        await cancel_registration(principal, event_id)

    @post(
        "/{event_id:uuid}/survey",
        status_code=HTTP_201_CREATED,
        summary="Rate an event you attended (once)",
        description=(
            "Only members marked as attendees: others get `attendance_required` (403); "
            "a second survey is `survey_exists` (409)."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED),
    )
    async def rate_event(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[SurveyRequest],
        principal: FromDishka[Principal],
        submit: FromDishka[SubmitSurvey],
    ) -> SurveyView:
        return await submit(principal, event_id, rating=data.rating, comment=data.comment)


ROUTES: list[type[Controller]] = [EventsController]
