"""What a capability contributes to a process: DI providers, jobs and Beat entries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from dishka import AsyncContainer, Provider

from saltbitter.application.ports.events import JsonScalar
from saltbitter.application.ports.privacy import PersonalData
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.settings import Settings

__all__ = ["Capability", "Job", "Payload", "payload_user_id", "payload_uuid"]

Payload = Mapping[str, JsonScalar]
Job = Callable[[AsyncContainer, Payload], Awaitable[object]]


@dataclass(frozen=True)
class Capability:
    name: str
    providers: Callable[[Settings], list[Provider]] = lambda _settings: []
    jobs: Mapping[str, Job] = field(default_factory=dict)
    # Celery Beat entries: name -> {"task": job name, "schedule": seconds or crontab}.
    beat_schedule: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # What it holds about members (ADR 0018); a table naming members must be declared.
    personal_data: PersonalData | None = None


def payload_uuid(payload: Payload, name: str) -> UUID:
    """An id carried in an event payload (payloads hold ids as strings)."""
    return UUID(str(payload[name]))


def payload_user_id(payload: Payload, name: str = "user_id") -> UserId:
    return UserId(payload_uuid(payload, name))
