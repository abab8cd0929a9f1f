"""``saltbitter demo seed``: carry out the demo plan through the ordinary use cases.

The plan (``saltbitter.application.demo``) says who the demo members are; this module
makes them the way real members are made: accounts, then for each member photos through
the real upload pipeline, the sensitive-data consent and the ECR-R through the assessment
use case, the profile, then likes, then today's daily sets. Each use case runs in its own
DI request scope with its own connection and transaction, as an HTTP request would; use
cases never call each other, this orchestrator does.

Idempotent and resumable: existing accounts are kept as they are, and a member is set up
only while they have no profile. The profile is saved last, so a member interrupted
half-way gets their missing photos, consent and assessment on the next run, and a
finished member (perhaps changed since through the API) is left alone. Likes are applied
only where a member set up in this run takes part, and the daily job is idempotent per
member and local date, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from dishka import AsyncContainer

from saltbitter.adapters.images import generated_photo
from saltbitter.application.accounts.admin import SeedDemoMembers
from saltbitter.application.assessments.consents import ListConsents, SetConsent
from saltbitter.application.assessments.dto import ConsentChange, SubmitAssessmentCommand
from saltbitter.application.assessments.results import GetMyAssessments, SubmitAssessment
from saltbitter.application.demo import DEFAULT_DEMO_SEED, DemoMember, plan_demo_community
from saltbitter.application.matching.daily import GenerateDailySets
from saltbitter.application.matching.policy import MatchingPolicy
from saltbitter.application.matching.swipes import LikeMember
from saltbitter.application.matching.views import DailyRunSummary
from saltbitter.application.ports.system import Clock
from saltbitter.application.profiles.photos import ListMyPhotos, UploadPhoto
from saltbitter.application.profiles.profile import GetMyProfile, PutMyProfile
from saltbitter.application.shared.identity import ClientInfo, Principal
from saltbitter.domain.accounts import ConsentPurpose
from saltbitter.domain.attachment import ECR_R
from saltbitter.domain.errors import Conflict, NotFound, PermissionDenied
from saltbitter.domain.shared import Role, SessionId, UserId

__all__ = [
    "STAGE_DAILY_SETS",
    "STAGE_LIKES",
    "STAGE_MEMBERS",
    "DemoSeedReport",
    "Progress",
    "seed_demo_community",
]

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total) as the work advances."""

STAGE_MEMBERS: Final = "members"
STAGE_LIKES: Final = "likes"
STAGE_DAILY_SETS: Final = "daily sets"

# The seed acts for the demo members without signing them in: no session exists.
_NO_SESSION = SessionId(UUID(int=0))
_CLIENT = ClientInfo(user_agent="saltbitter demo seed")


@dataclass(frozen=True, slots=True)
class DemoSeedReport:
    """What one run added (zeros throughout when everything was there already)."""

    members: int
    accounts_created: int
    members_set_up: int
    photos_uploaded: int
    assessments_taken: int
    likes: int
    matches: int
    daily: DailyRunSummary


@dataclass(frozen=True, slots=True)
class _SetUp:
    photos: int
    assessed: bool


def _principal(user_id: UserId, member: DemoMember) -> Principal:
    return Principal(
        user_id=user_id,
        session_id=_NO_SESSION,
        roles=frozenset({Role.MEMBER}),
        tier=member.account.tier,
        email_verified=True,
    )


async def _set_up(container: AsyncContainer, member: DemoMember, me: Principal) -> _SetUp | None:
    """Bring one member to the plan unless their profile exists (then: None)."""
    async with container() as scope:
        if (await (await scope.get(GetMyProfile))(me)).saved:
            return None
        photos = await (await scope.get(ListMyPhotos))(me)
        upload = await scope.get(UploadPhoto)
        for photo_seed in member.photo_seeds[len(photos) :]:
            await upload(me, generated_photo(photo_seed))
        assessed = await _assess(scope, member, me)
        await (await scope.get(PutMyProfile))(me, member.profile)
    return _SetUp(max(0, len(member.photo_seeds) - len(photos)), assessed)


async def _assess(scope: AsyncContainer, member: DemoMember, me: Principal) -> bool:
    """Consent (if never asked before) and the ECR-R, for members who plan to take it."""
    if member.answers is None:
        return False
    consents = {view.purpose: view for view in await (await scope.get(ListConsents))(me)}
    sensitive = consents[ConsentPurpose.SENSITIVE_DATA]
    if sensitive.recorded_at is None:
        change = ConsentChange(ConsentPurpose.SENSITIVE_DATA.value, True, _CLIENT)
        sensitive = await (await scope.get(SetConsent))(me, change)
    if not sensitive.granted:
        return False  # withdrawn since: respected
    if (await (await scope.get(GetMyAssessments))(me)).latest is not None:
        return False
    command = SubmitAssessmentCommand(ECR_R.key, dict(member.answers))
    await (await scope.get(SubmitAssessment))(me, command)
    return True


async def seed_demo_community(
    container: AsyncContainer,
    count: int,
    *,
    seed: int = DEFAULT_DEMO_SEED,
    progress: Progress | None = None,
) -> DemoSeedReport:
    """Make ``demo-1`` .. ``demo-<count>`` and today's daily sets (see the module doc)."""

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    today = (await container.get(Clock)).now().date()
    policy = await container.get(MatchingPolicy)
    plan = plan_demo_community(count, seed=seed, today=today, policy=policy.compatibility)
    async with container() as scope:
        accounts = await (await scope.get(SeedDemoMembers))([m.account for m in plan.members])
    principals = {
        member.number: _principal(accounts.user_ids[member.email], member)
        for member in plan.members
    }

    fresh: set[int] = set()
    photos = assessments = 0
    report(STAGE_MEMBERS, 0, len(plan.members))
    for done, member in enumerate(plan.members, start=1):
        outcome = await _set_up(container, member, principals[member.number])
        if outcome is not None:
            fresh.add(member.number)
            photos += outcome.photos
            assessments += outcome.assessed
        report(STAGE_MEMBERS, done, len(plan.members))

    likes = [pair for pair in plan.likes if fresh.intersection(pair)]
    liked = matches = 0
    report(STAGE_LIKES, 0, len(likes))
    for done, (liker, target) in enumerate(likes, start=1):
        async with container() as scope:
            like = await scope.get(LikeMember)
            try:
                result = await like(principals[liker], principals[target].user_id)
            except (NotFound, Conflict, PermissionDenied):
                pass  # no longer possible (someone changed their profile), or done before
            else:
                liked += 1
                matches += result.matched
        report(STAGE_LIKES, done, len(likes))

    async with container() as scope:
        generate = await scope.get(GenerateDailySets)
        daily = await generate(
            all_timezones=True,
            progress=lambda done, total: report(STAGE_DAILY_SETS, done, total),
        )
    return DemoSeedReport(
        members=len(plan.members),
        accounts_created=len(accounts.created),
        members_set_up=len(fresh),
        photos_uploaded=photos,
        assessments_taken=assessments,
        likes=liked,
        matches=matches,
        daily=daily,
    )
