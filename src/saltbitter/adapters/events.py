"""One tagged union over every registered event type: the tag is the event's ``name``.

The outbox stores the tag in its ``topic`` column and the encoded fields in ``payload``;
the job queues carry the same pair. The adapter never imports a capability: the
composition root hands it the event types the capabilities register.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from saltbitter.application.ports.events import Event, JobInput, JobParameters

__all__ = ["EncodedJobInput", "EventCodec", "UnknownEvent"]

EncodedJobInput = tuple[str | None, dict[str, Any]]
"""(event tag or None for job parameters, JSON-ready fields)."""


class UnknownEvent(LookupError):
    """A tag no registered event type carries, or fields that do not fit its type."""


class EventCodec:
    __slots__ = ("_by_tag",)

    def __init__(self, event_types: Iterable[type[Event]] = ()) -> None:
        self._by_tag: dict[str, type[Event]] = {}
        for event_type in event_types:
            known = self._by_tag.setdefault(event_type.name, event_type)
            if known is not event_type:
                raise ValueError(f"two event types share the tag {event_type.name!r}")

    @property
    def event_types(self) -> tuple[type[Event], ...]:
        return tuple(self._by_tag.values())

    @staticmethod
    def encode(job_input: JobInput | None) -> EncodedJobInput:
        if job_input is None:
            return None, {}
        fields: dict[str, Any] = msgspec.to_builtins(job_input)
        return (job_input.name if isinstance(job_input, Event) else None), fields

    @classmethod
    def task_kwargs(cls, job_input: JobInput | None) -> dict[str, object]:
        """A job's input as a queue's task carries it: ``payload`` (the encoded fields)
        and, when an event triggered the job, ``event`` (its tag)."""
        tag, fields = cls.encode(job_input)
        kwargs: dict[str, object] = {"payload": fields}
        if tag is not None:
            kwargs["event"] = tag
        return kwargs

    def decode(self, tag: str, fields: Mapping[str, Any]) -> Event:
        event_type = self._by_tag.get(tag)
        if event_type is None:
            raise UnknownEvent(f"no registered event type is tagged {tag!r}")
        try:
            return msgspec.convert(fields, event_type)
        except msgspec.ValidationError as error:
            raise UnknownEvent(
                f"{tag!r} fields do not fit {event_type.__name__}: {error}"
            ) from error

    @staticmethod
    def decode_parameters(
        fields: Mapping[str, Any], parameters: type[JobParameters]
    ) -> JobParameters:
        return msgspec.convert(fields, parameters)
