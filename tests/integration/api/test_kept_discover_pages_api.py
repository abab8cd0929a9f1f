"""A discovery page kept per process (ADR 0043), over HTTP: every change a page shows
appears on the next page, though the viewer's cached list in the cache is left as it was.

Each test reads the page three times (built, then read from the cached list, then served
as kept), changes something about a member on it through the API (or erases them), and
reads again. On SQLite (embedded mode) and on PostgreSQL + Redis alike.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, create_engine, func, select, update

from saltbitter.adapters.images import generated_photo
from saltbitter.adapters.sqlalchemy.tables import outbox
from saltbitter.adapters.sqlalchemy.tables_members import profiles
from saltbitter.entrypoints.jobs import RELAY_PACE_SECONDS
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, member
from support.erasure import erase_now
from support.live_api import Api, eventually


def _cards(api: Api, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = api.http.get("/api/v1/discover", headers=headers)
    assert response.status_code == 200, response.text
    return {item["member"]["user_id"]: item["member"] for item in response.json()["items"]}


def _kept(api: Api, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    reads = [_cards(api, headers) for _ in range(3)]
    assert reads[0] == reads[1] == reads[2]
    return reads[2]


def _relayed(engine: Engine) -> bool:
    with engine.connect() as connection:
        pending = connection.execute(
            select(func.count()).select_from(outbox).where(outbox.c.dispatched_at.is_(None))
        ).scalar_one()
    return pending == 0


def _profile(place: dict[str, float], **changes: Any) -> dict[str, Any]:
    return {
        "gender": "man",
        "genders_sought": ["woman"],
        "age_min": 18,
        "age_max": 99,
        "interests": ["hiking", "jazz", "cooking"],
        "location": place,
        "max_distance_km": 50,
        "bio": "Weekend hiker.",
        **changes,
    }


def _men(api: Api, place: dict[str, float], count: int) -> tuple[list[Member], Member]:
    men = [member(api, "man", "woman", place) for _ in range(count)]
    return men, member(api, "woman", "man", place)


def test_a_candidates_profile_edit_photo_and_pause_show_on_the_next_page(api: Api) -> None:
    place = {"lat": 64.14, "lon": -21.94}  # Reykjavik: nobody else's tests live here
    (bo, cy, di), ada = _men(api, place, 3)
    seen = _kept(api, ada.headers)
    assert {bo.user_id, cy.user_id, di.user_id} <= set(seen)
    assert seen[cy.user_id]["photo"] is None

    edited = _profile(place, bio="Now a sailor.")
    saved = api.http.put("/api/v1/me/profile", json=edited, headers=bo.headers)
    assert saved.status_code == 200, saved.text
    assert _cards(api, ada.headers)[bo.user_id]["bio"] == "Now a sailor."

    upload = api.http.post(
        "/api/v1/me/photos",
        files={"file": ("photo.jpg", generated_photo(410), "image/jpeg")},
        headers=cy.headers,
    )
    assert upload.status_code in (200, 201), upload.text
    assert _cards(api, ada.headers)[cy.user_id]["photo"] is not None

    paused = _profile(place, visibility="paused")
    saved = api.http.put("/api/v1/me/profile", json=paused, headers=di.headers)
    assert saved.status_code == 200, saved.text
    after = _kept(api, ada.headers)
    assert di.user_id not in after
    assert {bo.user_id, cy.user_id} <= set(after)


def test_a_candidate_who_passes_leaves_the_next_page(api: Api) -> None:
    place = {"lat": 60.17, "lon": 24.94}  # Helsinki
    (bo, cy), ada = _men(api, place, 2)
    assert {bo.user_id, cy.user_id} <= set(_kept(api, ada.headers))
    passed = api.http.post("/api/v1/passes", json={"user_id": ada.user_id}, headers=bo.headers)
    assert passed.status_code in (200, 201, 204), passed.text
    after = _cards(api, ada.headers)
    assert bo.user_id not in after
    assert cy.user_id in after


def test_an_erased_candidate_leaves_the_next_page(api: Api, backend_settings: Settings) -> None:
    place = {"lat": 59.91, "lon": 10.75}  # Oslo
    (bo, cy), ada = _men(api, place, 2)
    assert {bo.user_id, cy.user_id} <= set(_kept(api, ada.headers))
    erase_now(backend_settings, bo.email)
    after = _cards(api, ada.headers)
    assert bo.user_id not in after
    assert cy.user_id in after


def test_an_unchanged_page_is_answered_without_reading_its_members(
    api: Api, backend_settings: Settings
) -> None:
    """ADR 0048: with markers in Redis, a kept page of a cached list reads no member. A
    row changed behind the product's back (no commit of ours, so no marker renewed) is
    therefore not seen by the kept page; in embedded mode (no shared markers) every page
    reads its members and sees it at once. Any change made through the product is seen
    on the next page either way (the tests above)."""
    place = {"lat": 46.95, "lon": 7.45}  # Bern
    (bo,), ada = _men(api, place, 1)
    # A synchronous engine on the same database (psycopg serves both; SQLite's own driver).
    engine = create_engine(backend_settings.effective_database_url.replace("+aiosqlite", ""))
    # The members' sign-up and profile events renew their markers once more from a job
    # (matching.forget_member_caches), which the paced relay may start up to
    # RELAY_PACE_SECONDS later (ADR 0054): the page is kept only once those have run.
    eventually(lambda: _relayed(engine))
    time.sleep(2 * RELAY_PACE_SECONDS)
    assert _kept(api, ada.headers)[bo.user_id]["bio"] == "Weekend hiker."
    with engine.begin() as connection:
        connection.execute(
            update(profiles).where(profiles.c.user_id == UUID(bo.user_id)).values(bio="Behind.")
        )
    engine.dispose()
    seen = _cards(api, ada.headers)[bo.user_id]["bio"]
    assert seen == ("Weekend hiker." if backend_settings.redis_url else "Behind.")
