"""Discover's daily allowance survives a restart: a new app over the same database hands
out no fresh one (SQLite in embedded mode, whose cache lives in the process, and
PostgreSQL + Redis)."""

from __future__ import annotations

import httpx

from saltbitter.entrypoints.settings import Settings
from support.conversations_api import man, member
from support.live_api import Api, LiveServer

# Far from the other modules' members, so that the pool is known.
REYKJAVIK = {"lat": 64.15, "lon": -21.94}


def _shown(http: httpx.Client, headers: dict[str, str]) -> list[str]:
    page = http.get("/api/v1/discover", headers=headers)
    assert page.status_code == 200, page.text
    assert page.json()["next_cursor"] is None  # Free: one page of 20 a day
    return [item["member"]["user_id"] for item in page.json()["items"]]


def test_a_restart_keeps_the_allowance_used(api: Api, backend_settings: Settings) -> None:
    for _ in range(23):
        man(api, REYKJAVIK)
    ada = member(api, location=REYKJAVIK).headers
    first = _shown(api.http, ada)
    assert len(first) == 20
    passed = api.http.post("/api/v1/passes", json={"user_id": first[0]}, headers=ada)
    assert passed.status_code == 201, passed.text

    with (
        LiveServer(backend_settings) as restarted,
        httpx.Client(base_url=restarted.url, timeout=30) as http,
    ):
        again = _shown(http, ada)
    # The one passed on is gone and nobody new takes the place: 20 a day were used.
    assert len(again) == 19
    assert set(again) < set(first)
