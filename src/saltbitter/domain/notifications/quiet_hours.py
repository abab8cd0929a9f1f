"""Quiet hours: outbound email waits until the member's local quiet period is over.

docs/product-rules.md 8: by default 22:00-08:00 in the member's own timezone, configurable.
A message due inside quiet hours is deferred to the first moment they end, never dropped.

The arithmetic is done on real instants, not on wall-clock times, so that daylight-saving
changes cannot release a message inside quiet hours or hold it longer than needed: when
the clock jumps forward over the end of quiet hours (the end time does not exist that
day), the release is the moment of the jump; when the end time happens twice (the clock
goes back), the release is its first occurrence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from saltbitter.domain.errors import DomainRuleViolated, FieldError, ValidationFailed

__all__ = ["DEFAULT_QUIET_HOURS", "QuietHours"]

# Offsets are sampled this far apart to find daylight-saving transitions; no time zone
# changes its offset twice within half an hour.
_SAMPLE_STEP = timedelta(minutes=30)
# Quiet hours last under 24 h of wall time; zones shift by at most a few hours.
_HORIZON = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily wall-clock period ``[start, end)``; it wraps midnight when ``end <= start``.

    ``start == end`` means no quiet hours at all (an operator may switch them off).
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise DomainRuleViolated(
                "Quiet hours are wall-clock times; the member's timezone is applied later.",
                code="invalid_quiet_hours",
            )

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        """From ``HH:MM`` (or ``HH:MM:SS``) strings; every bad field is reported."""
        errors: list[FieldError] = []
        parsed: list[time] = []
        for name, value in (("quiet_hours_start", start), ("quiet_hours_end", end)):
            try:
                parsed.append(time.fromisoformat(value.strip()))
            except ValueError:
                errors.append(FieldError(name, "Use a 24-hour time such as 22:00.", "invalid"))
            else:
                if parsed[-1].tzinfo is not None:
                    errors.append(FieldError(name, "Give a time without a UTC offset."))
        if errors:
            raise ValidationFailed(errors, "The quiet hours are invalid.")
        return cls(parsed[0], parsed[1])

    @property
    def enabled(self) -> bool:
        return self.start != self.end

    @property
    def length(self) -> timedelta:
        """How long the period lasts in wall-clock time (zero when switched off)."""
        return (_since_midnight(self.end) - _since_midnight(self.start)) % timedelta(days=1)

    def contains(self, wall: time) -> bool:
        """Whether the local wall-clock time ``wall`` falls inside quiet hours."""
        wall = wall.replace(tzinfo=None, fold=0)
        if self.start < self.end:
            return self.start <= wall < self.end
        if self.start > self.end:
            return wall >= self.start or wall < self.end
        return False

    def is_quiet_at(self, instant: datetime, zone: tzinfo) -> bool:
        """Whether ``instant`` (timezone-aware) is inside quiet hours in ``zone``."""
        return self.contains(_aware(instant).astimezone(zone).time())

    def release(self, now: datetime, zone: tzinfo) -> datetime:
        """The first instant at or after ``now`` that is outside quiet hours in ``zone``.

        ``now`` itself when it is not quiet; otherwise the end of this quiet period (or
        the daylight-saving jump that skips past it). Returned in UTC.
        """
        now = _aware(now).astimezone(UTC)
        if not self.is_quiet_at(now, zone):
            return now
        # Leaving quiet hours happens either where the wall clock reaches ``end`` or where
        # the offset changes and the wall clock jumps; the earliest such instant that is
        # not quiet is the answer.
        local_day = now.astimezone(zone).date()
        candidates = [
            datetime.combine(local_day + timedelta(days=days), self.end, tzinfo=zone)
            .replace(fold=fold)
            .astimezone(UTC)
            for days in range(-1, 3)
            for fold in (0, 1)
        ]
        candidates.extend(_offset_changes(zone, now, now + _HORIZON))
        eligible = [c for c in candidates if c > now and not self.is_quiet_at(c, zone)]
        if not eligible:  # only reachable with a zone that stays inside quiet hours
            raise DomainRuleViolated(
                "Quiet hours never end in this timezone.", code="invalid_quiet_hours"
            )
        return min(eligible)


DEFAULT_QUIET_HOURS = QuietHours(time(22, 0), time(8, 0))


def _since_midnight(wall: time) -> timedelta:
    return timedelta(
        hours=wall.hour, minutes=wall.minute, seconds=wall.second, microseconds=wall.microsecond
    )


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return instant


def _offset_changes(zone: tzinfo, start: datetime, stop: datetime) -> list[datetime]:
    """Instants in ``(start, stop]`` (to the second) at which ``zone`` changes its offset."""
    changes: list[datetime] = []
    previous, previous_offset = start, start.astimezone(zone).utcoffset()
    while previous < stop:
        current = previous + _SAMPLE_STEP
        offset = current.astimezone(zone).utcoffset()
        if offset != previous_offset:
            changes.append(_first_second_with(zone, offset, previous, current))
        previous, previous_offset = current, offset
    return changes


def _first_second_with(
    zone: tzinfo, offset: timedelta | None, low: datetime, high: datetime
) -> datetime:
    """The first whole second in ``(low, high]`` from which ``zone`` has ``offset``."""
    # Transitions fall on whole seconds: widen the bracket outwards to whole seconds.
    low_s, high_s = math.floor(low.timestamp()), math.ceil(high.timestamp())
    while high_s - low_s > 1:
        middle = (low_s + high_s) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset:
            high_s = middle
        else:
            low_s = middle
    return datetime.fromtimestamp(high_s, UTC)
