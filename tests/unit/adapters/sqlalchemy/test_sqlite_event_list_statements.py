"""``GET /events`` on SQLite: one page costs the same statements whatever its length (the
registration counts of a page come in one query, not one per event)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from support.events import assert_an_events_page_costs_the_same_statements_at_any_length


async def test_a_page_of_events_costs_the_same_statements_as_one_event(
    engine: AsyncEngine,
) -> None:
    await assert_an_events_page_costs_the_same_statements_at_any_length(engine)
