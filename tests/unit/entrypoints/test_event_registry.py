"""The events the capabilities register: one tagged union that every event type
round-trips through, a handler table that names only registered events and jobs, and a
relay that imports no capability."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.adapters.events import EventCodec, UnknownEvent
from saltbitter.application import outbox as relay_module
from saltbitter.application.outbox import RelayOutbox
from saltbitter.application.ports.events import Event, JobParameters
from saltbitter.entrypoints.capabilities import CAPABILITIES
from saltbitter.entrypoints.jobs import EVENT_HANDLERS, EVENTS, JOBS
from support.container import FakeWorld

EVENT_TYPES = [event for capability in CAPABILITIES for event in capability.events]
PARAMETER_TYPES = sorted(
    {job.parameters for job in JOBS.values() if job.parameters is not None},
    key=lambda t: t.__name__,
)


def _wire(fields: dict[str, Any]) -> dict[str, Any]:
    """What a database JSON column or a Celery message gives back."""
    decoded: dict[str, Any] = json.loads(json.dumps(fields))
    return decoded


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
@given(data=st.data())
def test_every_event_type_round_trips_through_the_tagged_union(
    event_type: type[Event], data: st.DataObject
) -> None:
    event = data.draw(st.builds(event_type))
    tag, fields = EVENTS.encode(event)
    assert tag == event_type.name
    assert EVENTS.decode(tag, _wire(fields)) == event


@pytest.mark.parametrize("parameters", PARAMETER_TYPES, ids=lambda t: t.__name__)
@given(data=st.data())
def test_job_parameters_round_trip_and_default_when_absent(
    parameters: type[JobParameters], data: st.DataObject
) -> None:
    value = data.draw(st.builds(parameters))
    tag, fields = EVENTS.encode(value)
    assert tag is None
    assert EVENTS.decode_parameters(_wire(fields), parameters) == value
    assert EVENTS.decode_parameters({}, parameters) == parameters()  # Beat passes nothing


def test_events_are_frozen_typed_dataclasses_with_unique_stable_tags() -> None:
    tags = [event_type.name for event_type in EVENT_TYPES]
    assert len(tags) == len(set(tags))
    for event_type in EVENT_TYPES:
        assert dataclasses.is_dataclass(event_type)
        params = event_type.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen
        assert hasattr(event_type, "__slots__")
        capability, _, what = event_type.name.partition(".")
        assert capability, event_type.name
        assert what, event_type.name
        assert event_type.__module__ == f"saltbitter.application.{capability}.events"


def test_every_handled_event_is_registered_and_every_job_exists() -> None:
    assert set(EVENT_HANDLERS.jobs_by_event) <= set(EVENTS.event_types)
    for jobs in EVENT_HANDLERS.jobs_by_event.values():
        assert set(jobs) <= set(JOBS)


def test_accounts_registers_like_every_other_capability() -> None:
    [accounts] = [c for c in CAPABILITIES if c.name == "accounts"]
    assert accounts.events
    assert accounts.handlers
    assert accounts.beat_schedule
    assert set(accounts.jobs) <= set(JOBS)


def test_an_unknown_tag_or_misfit_fields_are_reported_as_unknown() -> None:
    with pytest.raises(UnknownEvent, match=re.escape("chat.message_sent")):
        EVENTS.decode("chat.message_sent", {})
    with pytest.raises(UnknownEvent):
        EVENTS.decode("matching.match_created", {"match_id": "not an id"})


def test_two_event_types_may_not_share_a_tag() -> None:
    first = EVENT_TYPES[0]
    twin = dataclasses.make_dataclass("Twin", [], bases=(first,), frozen=True)
    with pytest.raises(ValueError, match=re.escape(first.name)):
        EventCodec([first, twin])


def test_the_relay_imports_no_capability() -> None:
    tree = ast.parse(inspect.getsource(relay_module))
    imported = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert imported
    capabilities = {f"saltbitter.application.{c.name}" for c in CAPABILITIES}
    for module in imported:
        assert not any(module.startswith(cap) for cap in capabilities), module


async def test_unit_tests_route_events_through_the_registrys_table() -> None:
    # Tests resolve the relay from the production container, so no copy of the table
    # can drift from the registry.
    relay = await FakeWorld().get(RelayOutbox)
    assert relay.handlers is EVENT_HANDLERS
