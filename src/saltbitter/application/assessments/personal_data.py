"""Personal data of the assessments capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.assessments.events import ConsentChanged
from saltbitter.application.ports.privacy import Erasure, PersonalData, PersonalTable

__all__ = ["PERSONAL_DATA"]

# ``assessment_norms`` holds aggregates over many members (means, percentiles) with no
# member column: it is not personal data and stays.
PERSONAL_DATA = PersonalData(
    capability="assessments",
    tables=(
        PersonalTable(
            "assessments",
            ("user_id",),
            Erasure.DELETE,
            "Special-category data (attachment answers and scores); published norms "
            "are aggregates, so deleting the answers changes no one else's results.",
        ),
    ),
    payloads={ConsentChanged.name: ("user_id",)},
)
