"""What a capability contributes to a process: DI providers, event types, which jobs its
events (or other capabilities' events) trigger, named jobs and Beat entries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dishka import AsyncContainer, Provider

from saltbitter.application.ports.events import Event, JobParameters
from saltbitter.application.ports.privacy import PersonalData
from saltbitter.entrypoints.settings import Settings

__all__ = ["Capability", "Job"]


@dataclass(frozen=True, slots=True)
class Job:
    """A named job. ``run`` receives the decoded event that triggered it, an instance of
    ``parameters`` when started by name (Beat, the CLI, Celery by hand), or None when the
    job takes neither."""

    run: Callable[[AsyncContainer, Any], Awaitable[object]]
    parameters: type[JobParameters] | None = None
    # The same work for several inputs at once, in one scope (ADR 0054): the relay hands
    # over the events of one pass together, so a burst of matches costs one transaction.
    run_many: Callable[[AsyncContainer, Sequence[Any]], Awaitable[object]] | None = None


@dataclass(frozen=True)
class Capability:
    name: str
    providers: Callable[[Settings], list[Provider]] = lambda _settings: []
    # The events this capability publishes (the outbox's tagged union is built from them).
    events: tuple[type[Event], ...] = ()
    # Event type (its own or another capability's) -> the jobs it triggers, in order.
    handlers: Mapping[type[Event], tuple[str, ...]] = field(default_factory=dict)
    jobs: Mapping[str, Job] = field(default_factory=dict)
    # Celery Beat entries: name -> {"task": job name, "schedule": seconds or crontab}.
    beat_schedule: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # What it holds about members (ADR 0018); a table naming members must be declared.
    personal_data: PersonalData | None = None
