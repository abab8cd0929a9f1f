"""Wiring of the assessments capability (issue 4): the assessment and the consent ledger."""

from __future__ import annotations

from dishka import Provider, Scope, provide_all

from saltbitter.application.assessments.consents import ListConsents, SetConsent
from saltbitter.application.assessments.results import (
    GetInstrument,
    GetMyAssessments,
    SubmitAssessment,
)
from saltbitter.entrypoints.capabilities.base import Capability
from saltbitter.entrypoints.settings import Settings

__all__ = ["CAPABILITY", "AssessmentsProvider"]


class AssessmentsProvider(Provider):
    """REQUEST scope: the use cases (each gets a fresh unit of work)."""

    scope = Scope.REQUEST

    use_cases = provide_all(
        GetInstrument, SubmitAssessment, GetMyAssessments, SetConsent, ListConsents
    )


def _providers(_settings: Settings) -> list[Provider]:
    return [AssessmentsProvider()]


# No jobs: `assessments.consent_changed` is consumed by matching (cache invalidation).
CAPABILITY = Capability(name="assessments", providers=_providers)
