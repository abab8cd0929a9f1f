"""Job names of the assessments capability (events are in ``events.py``)."""

from __future__ import annotations

from typing import Final

# Compute and publish a new version of the platform's norms (nightly, and on demand with
# `saltbitter assessments norms`); takes ComputeNormsParameters.
COMPUTE_NORMS: Final = "assessments.compute_norms"
