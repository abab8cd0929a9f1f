"""Event topics of the notifications capability and the jobs each one triggers."""

from __future__ import annotations

from collections.abc import Mapping

JOBS_BY_TOPIC: Mapping[str, tuple[str, ...]] = {}
