"""Hard filters: who may be shown to whom at all (docs/product-rules.md 5).

Profile filters apply in both directions, so they are symmetric: each member must be of
a gender the other seeks, each age must be within the other's window plus the tolerance
(docs/science.md 5.1), the distance must be within both members' max distance, and neither may
be suspended or paused. Relation filters: a block in either direction or an existing
match excludes the pair; a member who already liked or passed someone is not shown them
again; a member who passed someone is not shown to them (there is no match to be had,
and it spares a rejection). A like received does *not* hide anyone: it is exactly the
person a member should see.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .demographics import age_years_outside, distance_between
from .policy import DEFAULT_POLICY, CompatibilityPolicy
from .profile import CandidateProfile

__all__ = [
    "NO_HISTORY",
    "Eligibility",
    "IneligibilityReason",
    "PairHistory",
    "check_eligibility",
]


class IneligibilityReason(StrEnum):
    SAME_PERSON = "same_person"
    SUSPENDED = "suspended"
    PAUSED = "paused"
    BLOCKED = "blocked"
    ALREADY_MATCHED = "already_matched"
    ALREADY_LIKED = "already_liked"
    ALREADY_PASSED = "already_passed"
    PASSED_BY_CANDIDATE = "passed_by_candidate"
    GENDER_NOT_SOUGHT = "gender_not_sought"
    AGE_OUTSIDE_WINDOW = "age_outside_window"
    TOO_FAR = "too_far"


@dataclass(frozen=True, slots=True)
class PairHistory:
    """What already happened between a viewer and a candidate, from the viewer's side."""

    blocked: bool = False
    """Either member blocked the other."""
    matched: bool = False
    """The two have (or had) a match."""
    viewer_liked: bool = False
    viewer_passed: bool = False
    candidate_liked: bool = False
    candidate_passed: bool = False

    @property
    def excludes(self) -> bool:
        """Whether the relation alone rules the candidate out for this viewer."""
        return _relation_reason(self) is not None

    def reversed(self) -> PairHistory:
        """The same history seen from the candidate's side."""
        return PairHistory(
            blocked=self.blocked,
            matched=self.matched,
            viewer_liked=self.candidate_liked,
            viewer_passed=self.candidate_passed,
            candidate_liked=self.viewer_liked,
            candidate_passed=self.viewer_passed,
        )


NO_HISTORY = PairHistory()


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Whether a candidate may be shown to a viewer, and the first rule that says no."""

    eligible: bool
    reason: IneligibilityReason | None = None

    def __bool__(self) -> bool:
        return self.eligible


_ELIGIBLE = Eligibility(eligible=True)


def _relation_reason(history: PairHistory) -> IneligibilityReason | None:
    if history.blocked:
        return IneligibilityReason.BLOCKED
    if history.matched:
        return IneligibilityReason.ALREADY_MATCHED
    if history.viewer_liked:
        return IneligibilityReason.ALREADY_LIKED
    if history.viewer_passed:
        return IneligibilityReason.ALREADY_PASSED
    if history.candidate_passed:
        return IneligibilityReason.PASSED_BY_CANDIDATE
    return None


def _profile_reason(
    viewer: CandidateProfile, candidate: CandidateProfile, policy: CompatibilityPolicy
) -> IneligibilityReason | None:
    if (
        candidate.gender not in viewer.genders_sought
        or viewer.gender not in candidate.genders_sought
    ):
        return IneligibilityReason.GENDER_NOT_SOUGHT
    tolerance = policy.age_tolerance_years
    if (
        age_years_outside(candidate.age, viewer.age_min, viewer.age_max) > tolerance
        or age_years_outside(viewer.age, candidate.age_min, candidate.age_max) > tolerance
    ):
        return IneligibilityReason.AGE_OUTSIDE_WINDOW
    distance = distance_between(viewer, candidate)
    if distance > viewer.max_distance_km or distance > candidate.max_distance_km:
        return IneligibilityReason.TOO_FAR
    return None


def check_eligibility(
    viewer: CandidateProfile,
    candidate: CandidateProfile,
    history: PairHistory = NO_HISTORY,
    policy: CompatibilityPolicy = DEFAULT_POLICY,
) -> Eligibility:
    """May ``candidate`` be shown to ``viewer``? If not, the first rule that says no.

    Rules in order: same person, suspended, paused, blocked, matched, already liked,
    already passed, passed by the candidate, gender, age window, distance.
    """
    reason: IneligibilityReason | None
    if viewer.user_id == candidate.user_id:
        reason = IneligibilityReason.SAME_PERSON
    elif viewer.suspended or candidate.suspended:
        reason = IneligibilityReason.SUSPENDED
    elif viewer.paused or candidate.paused:
        reason = IneligibilityReason.PAUSED
    else:
        reason = _relation_reason(history) or _profile_reason(viewer, candidate, policy)
    return _ELIGIBLE if reason is None else Eligibility(eligible=False, reason=reason)
