"""Wiring of the assessments capability (issue 4): the assessment, the consent ledger and
the platform's own norms (a nightly job)."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from saltbitter.adapters.sqlalchemy.assessments import (
    SqlaAssessmentRepository,
    SqlaMemberBirthdates,
    SqlaMemberConsents,
    SqlaNormsRepository,
    SqlaNormsSamples,
    SqlaProfileValues,
)
from saltbitter.application.assessments import topics
from saltbitter.application.assessments.consents import ListConsents, SetConsent
from saltbitter.application.assessments.events import ComputeNormsParameters, ConsentChanged
from saltbitter.application.assessments.norms import CheckReliability, ComputeNorms, NormsPolicy
from saltbitter.application.assessments.personal_data import (
    PERSONAL_DATA as ASSESSMENTS_PERSONAL_DATA,
)
from saltbitter.application.assessments.results import (
    GetInstrument,
    GetMyAssessments,
    SubmitAssessment,
)
from saltbitter.application.assessments.values import (
    GetValuesQuestionnaire,
    SubmitValuesQuestionnaire,
)
from saltbitter.application.ports.assessments import (
    AssessmentRepository,
    MemberBirthdates,
    MemberConsents,
    NormsRepository,
    NormsSamples,
    ProfileValues,
)
from saltbitter.entrypoints.capabilities.base import Capability, Job
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "AssessmentsProvider", "norms_policy_for"]


def norms_policy_for(settings: Settings) -> NormsPolicy:
    return NormsPolicy(min_sample=settings.norms_min_sample)


class AssessmentsProvider(Provider):
    """APP scope: the norms policy; REQUEST scope: the ports on the request's connection
    and the use cases."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide(scope=Scope.APP)
    def norms_policy(self) -> NormsPolicy:
        return norms_policy_for(self._settings)

    assessments = provide(
        SqlaAssessmentRepository, provides=AssessmentRepository, scope=Scope.REQUEST
    )
    norms = provide(SqlaNormsRepository, provides=NormsRepository, scope=Scope.REQUEST)
    samples = provide(SqlaNormsSamples, provides=NormsSamples, scope=Scope.REQUEST)
    consents = provide(SqlaMemberConsents, provides=MemberConsents, scope=Scope.REQUEST)
    birthdates = provide(SqlaMemberBirthdates, provides=MemberBirthdates, scope=Scope.REQUEST)
    profile_values = provide(SqlaProfileValues, provides=ProfileValues, scope=Scope.REQUEST)

    use_cases = provide_all(
        GetInstrument,
        SubmitAssessment,
        GetMyAssessments,
        SetConsent,
        ListConsents,
        ComputeNorms,
        CheckReliability,
        GetValuesQuestionnaire,
        SubmitValuesQuestionnaire,
        scope=Scope.REQUEST,
    )


async def _compute_norms(scope: AsyncContainer, parameters: ComputeNormsParameters) -> object:
    compute = await scope.get(ComputeNorms)
    run = await compute(parameters.instrument)
    return {
        "instrument": run.instrument,
        "samples": run.samples,
        "published": None if run.published is None else run.published.version,
    }


def _nightly() -> Any:
    """03:30 UTC every night: quiet hours for the database, norms fresh by morning."""
    try:
        from celery.schedules import crontab
    except ImportError:  # an API-only install never runs Beat
        return 86_400.0
    return crontab(minute="30", hour="3")


# ConsentChanged is consumed by matching (cache invalidation), which registers its handler.
CAPABILITY = Capability(
    name="assessments",
    personal_data=ASSESSMENTS_PERSONAL_DATA,
    providers=lambda settings: [AssessmentsProvider(settings)],
    events=(ConsentChanged,),
    jobs={topics.COMPUTE_NORMS: Job(_compute_norms, ComputeNormsParameters)},
    beat_schedule={
        "assessments-norms-nightly": {"task": topics.COMPUTE_NORMS, "schedule": _nightly()}
    },
)
