"""Wall-clock time."""

from __future__ import annotations

from datetime import UTC, datetime

from saltbitter.application.ports.system import Clock

__all__ = ["SystemClock"]


class SystemClock(Clock):
    """The current time, timezone-aware, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
