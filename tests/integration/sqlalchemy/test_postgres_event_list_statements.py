"""``GET /events`` on PostgreSQL: one page costs the same statements whatever its length (the
registration counts of a page come in one query, not one per event)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.application.events.members import PAGE_SIZE
from support.events import add_upcoming_events, statements_to_list_events


async def test_a_page_of_events_costs_the_same_statements_as_one_event(
    engine: AsyncEngine,
) -> None:
    await add_upcoming_events(engine, 1)
    one = await statements_to_list_events(engine)
    await add_upcoming_events(engine, PAGE_SIZE - 1)
    full_page = await statements_to_list_events(engine)
    await add_upcoming_events(engine, PAGE_SIZE + 5)
    more_than_a_page = await statements_to_list_events(engine)

    assert (one[1], full_page[1], more_than_a_page[1]) == (1, PAGE_SIZE, PAGE_SIZE)
    assert full_page[0] == one[0]
    assert more_than_a_page[0] == one[0]
