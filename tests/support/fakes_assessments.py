"""Assessments' role-shaped ports on the request's in-memory connection."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from saltbitter.application.ports.assessments import (
    AssessmentRepository,
    MemberBirthdates,
    MemberConsents,
    NormsRepository,
    NormsSamples,
    ProfileValues,
)
from saltbitter.testing.fakes_assessments import (
    InMemoryAssessmentRepository,
    InMemoryMemberBirthdates,
    InMemoryMemberConsents,
    InMemoryNormsRepository,
    InMemoryNormsSamples,
)
from saltbitter.testing.fakes_profile_values import InMemoryProfileValues

__all__ = ["AssessmentsFakes"]


class AssessmentsFakes(Provider):
    scope = Scope.REQUEST

    assessments = provide(
        InMemoryAssessmentRepository, provides=AssessmentRepository, override=True
    )
    norms = provide(InMemoryNormsRepository, provides=NormsRepository, override=True)
    samples = provide(InMemoryNormsSamples, provides=NormsSamples, override=True)
    consents = provide(InMemoryMemberConsents, provides=MemberConsents, override=True)
    birthdates = provide(InMemoryMemberBirthdates, provides=MemberBirthdates, override=True)
    profile_values = provide(InMemoryProfileValues, provides=ProfileValues, override=True)
