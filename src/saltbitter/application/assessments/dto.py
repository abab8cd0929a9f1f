"""Inputs and outputs of the assessment and consent use cases (encoded at the edge)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from saltbitter.application.shared.identity import ClientInfo
from saltbitter.domain.accounts import ConsentPurpose
from saltbitter.domain.attachment import AttachmentStyle, DimensionLevel

__all__ = [
    "AssessmentHistoryItem",
    "AssessmentView",
    "ConsentChange",
    "ConsentView",
    "DimensionPair",
    "InsightsView",
    "InstrumentItem",
    "InstrumentView",
    "LevelPair",
    "MyAssessments",
    "NormsView",
    "ScaleLabel",
    "ScaleView",
    "SubmitAssessmentCommand",
]


@dataclass(frozen=True, slots=True)
class ScaleLabel:
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class ScaleView:
    minimum: int
    maximum: int
    labels: list[ScaleLabel]


@dataclass(frozen=True, slots=True)
class InstrumentItem:
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class InstrumentView:
    """What a client needs to show a questionnaire; keying stays on the server."""

    key: str
    name: str
    version: str
    citation: str
    instructions: str
    scale: ScaleView
    items: list[InstrumentItem]
    max_missing_per_subscale: int
    is_short_form: bool
    precision_note: str


@dataclass(frozen=True, slots=True)
class SubmitAssessmentCommand:
    """``answers`` as received: item numbers as strings, values not yet checked."""

    instrument: str
    answers: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class DimensionPair:
    anxiety: float
    avoidance: float


@dataclass(frozen=True, slots=True)
class LevelPair:
    anxiety: DimensionLevel
    avoidance: DimensionLevel


@dataclass(frozen=True, slots=True)
class InsightsView:
    summary: str
    strengths: list[str]
    growth_suggestions: list[str]
    communication_tips: list[str]
    support_resources: str | None
    note: str


@dataclass(frozen=True, slots=True)
class NormsView:
    version: str
    # True while the platform's own norms are not yet computed (published priors in use).
    are_priors: bool


@dataclass(frozen=True, slots=True)
class AssessmentView:
    """A member's own result: shown to them only, never to other members."""

    id: UUID
    instrument: str
    instrument_version: str
    taken_at: datetime
    anxiety: float
    avoidance: float
    style: AttachmentStyle
    near_boundary: bool
    nearest_other_style: AttachmentStyle | None
    percentiles: DimensionPair
    levels: LevelPair
    insights: InsightsView
    imputed_items: list[int]
    norms: NormsView
    next_retake_at: datetime


@dataclass(frozen=True, slots=True)
class AssessmentHistoryItem:
    id: UUID
    instrument: str
    taken_at: datetime
    anxiety: float
    avoidance: float
    style: AttachmentStyle


@dataclass(frozen=True, slots=True)
class MyAssessments:
    latest: AssessmentView | None
    history: list[AssessmentHistoryItem] = field(default_factory=list)
    next_retake_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConsentChange:
    purpose: str
    granted: bool
    client: ClientInfo = field(default_factory=ClientInfo)


@dataclass(frozen=True, slots=True)
class ConsentView:
    """The current state of one purpose; never-asked purposes show as not granted."""

    purpose: ConsentPurpose
    granted: bool
    policy_version: str | None
    recorded_at: datetime | None
