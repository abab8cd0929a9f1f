"""Event topics of the assessments capability and the jobs each one triggers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# A member granted or withdrew a consent purpose. Payload: {"user_id": str, "purpose":
# str (a ConsentPurpose value), "granted": bool}. Matching consumes it to drop cached sets
# and discovery pages, since withdrawing `sensitive_data` takes the member's attachment
# data out of matching; it maps its own jobs to this topic in its topics module.
CONSENT_CHANGED: Final = "assessments.consent_changed"

# Job: compute and publish a new version of the platform's norms (nightly, and on demand
# with `saltbitter assessments norms`). Payload: {} or {"instrument": str}.
COMPUTE_NORMS: Final = "assessments.compute_norms"

JOBS_BY_TOPIC: Mapping[str, tuple[str, ...]] = {}
