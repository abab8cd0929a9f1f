"""Matching over HTTP under /api/v1 (issue 4): likes, passes, matches, daily set, discover."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from saltbitter.application.matching.caching import daily_version_key
from saltbitter.application.matching.daily import GetDailySet, KeptDailySets
from saltbitter.application.matching.discover import (
    Discover,
    DiscoverFilters,
    KeptDiscovery,
    discover_reads,
)
from saltbitter.application.matching.matches import ListLikesReceived, ListMatches, Unmatch
from saltbitter.application.matching.views import (
    DailySetView,
    DiscoverPage,
    LikesReceivedPage,
    MatchesPage,
    SwipeResult,
)
from saltbitter.application.ports.matching import PairDecision
from saltbitter.application.shared.identity import Principal
from saltbitter.domain.matching import Decision
from saltbitter.domain.profiles import RelationshipGoal
from saltbitter.domain.shared import Tier, UserId
from saltbitter.domain.subscriptions import entitlements_for
from saltbitter.entrypoints.capabilities.matching import SwipeBatches
from saltbitter.entrypoints.http.accounts import BEARER, LIMITED
from saltbitter.entrypoints.http.dependencies import request_container
from saltbitter.entrypoints.http.middleware import READ_ON_THE_WAY, read_on_the_way
from saltbitter.entrypoints.http.problems import documented_errors
from saltbitter.entrypoints.http.schemas import CURSOR_PATTERN

__all__ = [
    "ROUTES",
    "DiscoverController",
    "LikesController",
    "MatchesController",
    "PassesController",
    "SwipeRequest",
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


MinCompatibility = Annotated[
    float | None,
    QueryParameter(
        ge=0.0,
        le=1.0,
        required=False,
        description="Advanced filter (Premium and Elite): only compatibility totals at least this.",
    ),
]
GoalFilter = Annotated[
    RelationshipGoal | None,
    QueryParameter(
        required=False,
        description="Advanced filter (Premium and Elite): only members stating this goal.",
    ),
]


def _allowances() -> str:
    """The discovery allowances, as the entitlements say (never typed twice)."""
    return ", ".join(
        f"{tier.value.title()} {entitlements_for(tier).discover_profiles_per_day}" for tier in Tier
    )


class SwipeRequest(msgspec.Struct, forbid_unknown_fields=True):
    user_id: UUID


class LikesController(Controller):
    path = "/likes"
    tags = ["matching"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Like a member; a like answering their like makes a match",
        description=(
            "Answers `matched` and the `match_id` when the like was mutual. A mutual "
            "like makes exactly one match even when both like at the same moment."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED),
    )
    async def like(
        self,
        data: JSONBody[SwipeRequest],
        principal: FromDishka[Principal],
        decide: FromDishka[SwipeBatches],
    ) -> SwipeResult:
        return await decide(PairDecision(principal.user_id, UserId(data.user_id), Decision.LIKE))

    @get(
        "/received",
        summary="Who liked you and awaits your answer (Premium and Elite)",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def received(
        self,
        principal: FromDishka[Principal],
        likes_received: FromDishka[ListLikesReceived],
        cursor: Cursor = None,
    ) -> LikesReceivedPage:
        return await likes_received(principal, cursor)


class PassesController(Controller):
    path = "/passes"
    tags = ["matching"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Pass on a member (final; they are not told)",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, 422, LIMITED),
    )
    async def pass_member(
        self,
        data: JSONBody[SwipeRequest],
        principal: FromDishka[Principal],
        decide: FromDishka[SwipeBatches],
    ) -> SwipeResult:
        return await decide(PairDecision(principal.user_id, UserId(data.user_id), Decision.PASS))


class MatchesController(Controller):
    path = "/matches"
    tags = ["matching"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="Your mutual matches, newest first (20 a page)",
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
    )
    async def matches(
        self,
        principal: FromDishka[Principal],
        list_matches: FromDishka[ListMatches],
        cursor: Cursor = None,
    ) -> MatchesPage:
        return await list_matches(principal, cursor)

    @get(
        "/daily",
        summary="Today's daily matches, with their compatibility explained",
        description=(
            "Chosen at 06:00 in your timezone (built on first request for newcomers). "
            "Each entry shows the member's card and the compatibility: the total, its "
            "four components and the reasons in plain words."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, LIMITED),
        # The set's version token: enough to serve a kept view (ADR 0049).
        opt={READ_ON_THE_WAY: lambda member: (daily_version_key(member),)},
    )
    async def daily(
        self,
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        kept: FromDishka[KeptDailySets],
    ) -> DailySetView:
        # The set's version, read with the rate limit's round trip when Redis counts both.
        read = read_on_the_way(request.scope)
        view = kept.served(principal, read)
        if view is not None:  # its kept view: nothing request-scoped built (ADR 0049)
            return view
        get_daily_set = await request_container(request.scope).get(GetDailySet)
        return await get_daily_set(principal, read)

    @delete(
        "/{match_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Unmatch (only your own matches)",
        security=BEARER,
        responses=documented_errors(401, 403, 404, 409, LIMITED),
    )
    async def unmatch(
        self,
        match_id: FromPath[UUID],
        principal: FromDishka[Principal],
        unmatch: FromDishka[Unmatch],
    ) -> None:
        await unmatch(principal, match_id)


class DiscoverController(Controller):
    path = "/discover"
    tags = ["matching"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get(
        "/",
        summary="Browse members who fit you both, best first: finite, 20 a page",
        description=(
            f"Limited per day by tier ({_allowances()}). Liked, passed and matched "
            "members are not shown again. The advanced filters narrow the day's list "
            "(Premium and Elite; Free: 403 `upgrade_required`)."
        ),
        security=BEARER,
        responses=documented_errors(401, 403, 422, LIMITED),
        opt={READ_ON_THE_WAY: discover_reads},
    )
    async def discover(
        self,
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        kept: FromDishka[KeptDiscovery],
        cursor: Cursor = None,
        min_compatibility: MinCompatibility = None,
        relationship_goal: GoalFilter = None,
    ) -> DiscoverPage:
        filters = DiscoverFilters(
            min_compatibility=min_compatibility,
            relationship_goal=relationship_goal.value if relationship_goal else None,
        )
        read = read_on_the_way(request.scope)
        page = await kept.served(principal, cursor, filters, read)
        if page is not None:  # kept under its markers: nothing request-scoped built
            return page
        discover = await request_container(request.scope).get(Discover)
        return await discover(principal, cursor, filters, read)


ROUTES: list[type[Controller]] = [
    LikesController,
    PassesController,
    MatchesController,
    DiscoverController,
]
