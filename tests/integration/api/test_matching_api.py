"""Matching over HTTP (likes, passes, matches, likes received, daily set, discover), against
SQLite and against PostgreSQL + Redis. Profiles are made through PUT /me/profile."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx
import pytest

from saltbitter.application.ports.accounts import UserRepository
from saltbitter.application.ports.transaction import Transaction
from saltbitter.domain.shared import Tier, UserId
from saltbitter.entrypoints.composition import build_container, stop_container
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, man, member, signed_in
from support.live_api import Api

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    assert "Traceback" not in response.text
    return body


def _set_tier(settings: Settings, user_id: str, tier: Tier) -> None:
    """Change the tier as payments does: through the production container, whose
    transaction renews the member's principal stamp after the commit (ADR 0032), so the
    running server sees the new tier on the next request."""

    async def work() -> None:
        container = await build_container(settings)
        try:
            async with container() as scope:
                users = await scope.get(UserRepository)
                async with await scope.get(Transaction) as transaction:
                    user = await users.get(UserId(uuid.UUID(user_id)))
                    assert user is not None
                    await users.save(replace(user, tier=tier))
                    await transaction.commit()
        finally:
            await stop_container(container)

    asyncio.run(work())


def _like(api: Api, who: Member, whom: Member | str) -> httpx.Response:
    target = whom if isinstance(whom, str) else whom.user_id
    return api.http.post("/api/v1/likes", json={"user_id": target}, headers=who.headers)


def test_mutual_likes_make_one_match_that_either_member_can_end(api: Api) -> None:
    ada, bo, stranger = member(api), man(api), man(api)
    first = _like(api, ada, bo)
    assert first.status_code == 201, first.text
    assert first.json() == {"decision": "like", "matched": False, "match_id": None}
    second = _like(api, bo, ada)
    assert second.status_code == 201
    body = second.json()
    assert body["matched"] is True
    match_id = body["match_id"]
    uuid.UUID(match_id)

    for who, other in ((ada, bo), (bo, ada)):
        listed = api.http.get("/api/v1/matches", headers=who.headers)
        assert listed.status_code == 200
        page = listed.json()
        assert page["next_cursor"] is None
        [item] = page["items"]
        assert item["match_id"] == match_id
        assert item["member"]["user_id"] == other.user_id
        assert item["member"]["distance_km"] == 1
        assert {"display_name", "age", "gender", "bio", "interests", "photo"} <= set(item["member"])
        assert not {"latitude", "longitude", "location", "birthdate"} & set(item["member"])

    # Someone else's match is not theirs to see or end.
    _problem(
        api.http.delete(f"/api/v1/matches/{match_id}", headers=stranger.headers),
        404,
        "match_not_found",
    )
    _problem(
        api.http.delete(f"/api/v1/matches/{uuid.uuid4()}", headers=ada.headers),
        404,
        "match_not_found",
    )
    ended = api.http.delete(f"/api/v1/matches/{match_id}", headers=ada.headers)
    assert ended.status_code == 204
    assert api.http.get("/api/v1/matches", headers=bo.headers).json()["items"] == []
    _problem(
        api.http.delete(f"/api/v1/matches/{match_id}", headers=bo.headers),
        409,
        "already_unmatched",
    )


def test_passes_and_the_rules_of_deciding(api: Api) -> None:
    ada, bo = member(api), man(api)
    passed = api.http.post("/api/v1/passes", json={"user_id": bo.user_id}, headers=ada.headers)
    assert passed.status_code == 201
    assert passed.json() == {"decision": "pass", "matched": False, "match_id": None}
    _problem(_like(api, ada, bo), 409, "already_decided")
    # Bo's like is accepted, never revealing the pass, and makes no match.
    assert _like(api, bo, ada).json()["matched"] is False
    _problem(_like(api, ada, ada), 422, "decide_on_self")
    _problem(_like(api, ada, str(uuid.uuid4())), 404, "member_not_found")
    far = man(api, location={"lat": 48.14, "lon": 11.58})  # Munich, 500 km away
    _problem(_like(api, ada, far), 404, "member_not_found")
    paused = man(api, visibility="paused")
    _problem(_like(api, ada, paused), 404, "member_not_found")
    no_profile = signed_in(api)
    _problem(_like(api, ada, no_profile), 404, "member_not_found")
    _problem(_like(api, no_profile, bo), 403, "profile_required")


def test_bad_swipe_requests_are_refused(api: Api) -> None:
    ada = member(api)
    for path in ("/api/v1/likes", "/api/v1/passes"):
        for body in ({}, {"user_id": "not-a-uuid"}, {"user_id": str(uuid.uuid4()), "extra": 1}):
            response = api.http.post(path, json=body, headers=ada.headers)
            _problem(response, 422, "validation_failed")
        not_json = api.http.post(
            path, content=b"{", headers={**ada.headers, "content-type": "application/json"}
        )
        _problem(not_json, 400, "malformed_body")
        untyped = api.http.post(path, content=b"{}", headers=ada.headers)
        _problem(untyped, 415, "unsupported_media_type")
        unauthenticated = api.http.post(path, json={"user_id": str(uuid.uuid4())})
        _problem(unauthenticated, 401, "missing_token")
    for path in ("/api/v1/matches", "/api/v1/matches/daily", "/api/v1/discover"):
        _problem(api.http.get(path), 401, "missing_token")
    assert api.http.delete("/api/v1/matches/not-a-uuid", headers=ada.headers).status_code in (
        404,
        405,
    )


def test_likes_received_are_for_premium_and_elite(api: Api, backend_settings: Settings) -> None:
    ada = member(api)
    fans = [man(api) for _ in range(2)]
    for fan in fans:
        assert _like(api, fan, ada).status_code == 201
    _problem(api.http.get("/api/v1/likes/received", headers=ada.headers), 403, "upgrade_required")
    _set_tier(backend_settings, ada.user_id, Tier.PREMIUM)
    received = api.http.get("/api/v1/likes/received", headers=ada.headers)
    assert received.status_code == 200, received.text
    page = received.json()
    assert [item["member"]["user_id"] for item in page["items"]] == [
        fans[1].user_id,
        fans[0].user_id,
    ]
    assert page["next_cursor"] is None
    assert _like(api, ada, fans[0]).json()["matched"] is True
    after = api.http.get("/api/v1/likes/received", headers=ada.headers).json()
    assert [item["member"]["user_id"] for item in after["items"]] == [fans[1].user_id]
    bad = api.http.get("/api/v1/likes/received", params={"cursor": "garbage"}, headers=ada.headers)
    _problem(bad, 422, "validation_failed")


def test_the_daily_set_is_built_once_and_explained(api: Api) -> None:
    tokyo = {"lat": 35.68, "lon": 139.69}  # away from the other tests' members
    men = [man(api, location=tokyo, interests=["hiking", "jazz", "falconry"]) for _ in range(3)]
    ada = member(api, location=tokyo)
    response = api.http.get("/api/v1/matches/daily", headers=ada.headers)
    assert response.status_code == 200, response.text
    daily = response.json()
    assert set(daily) == {"local_date", "items"}
    shown = {item["member"]["user_id"] for item in daily["items"]}
    assert {m.user_id for m in men} <= shown
    item = next(i for i in daily["items"] if i["member"]["user_id"] == men[0].user_id)
    assert item["decision"] is None
    assert item["matched"] is False
    compatibility = item["compatibility"]
    assert 0.0 <= compatibility["total"] <= 1.0
    assert set(compatibility["components"]) == {
        "attachment",
        "interests",
        "values",
        "demographics",
    }
    assert any("shared interest" in reason for reason in compatibility["reasons"])
    assert not {"latitude", "longitude", "location"} & set(item["member"])

    again = api.http.get("/api/v1/matches/daily", headers=ada.headers).json()
    assert again["local_date"] == daily["local_date"]
    assert [i["member"]["user_id"] for i in again["items"]] == [
        i["member"]["user_id"] for i in daily["items"]
    ]
    # A like shows up in the set (the cached set was dropped).
    assert _like(api, ada, men[0]).status_code == 201
    liked = api.http.get("/api/v1/matches/daily", headers=ada.headers).json()
    states = {i["member"]["user_id"]: i["decision"] for i in liked["items"]}
    assert states[men[0].user_id] == "like"

    no_profile = signed_in(api)
    _problem(
        api.http.get("/api/v1/matches/daily", headers=no_profile.headers), 403, "profile_required"
    )


def test_discover_pages_are_finite_and_best_first(api: Api) -> None:
    # Elsewhere than the other tests' members, so that the pool is known.
    place = {"lat": -33.87, "lon": 151.21}
    tags = ["surfing", "coffee", "poetry", "sailing", "opera", "rugby"]
    men = [man(api, location=place, interests=tags[n % 3 : n % 3 + 3]) for n in range(22)]
    ada = member(api, location=place, interests=["surfing", "coffee", "poetry"])
    first = api.http.get("/api/v1/discover", headers=ada.headers)
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 20  # Free: one page of 20 a day
    assert page["next_cursor"] is None
    totals = [item["compatibility"]["total"] for item in page["items"]]
    assert totals == sorted(totals, reverse=True)
    assert {item["member"]["user_id"] for item in page["items"]} <= {m.user_id for m in men}

    liked = page["items"][0]["member"]["user_id"]
    assert _like(api, ada, liked).status_code == 201
    after = api.http.get("/api/v1/discover", headers=ada.headers).json()
    assert liked not in {item["member"]["user_id"] for item in after["items"]}
    assert len(after["items"]) == 19

    # A profile change shows on the next page at once.
    someone = next(m for m in men if m.user_id == after["items"][0]["member"]["user_id"])
    paused = api.http.put(
        "/api/v1/me/profile",
        json={
            "gender": "man",
            "genders_sought": ["woman"],
            "age_min": 18,
            "age_max": 99,
            "interests": ["surfing", "coffee", "poetry"],
            "location": place,
            "max_distance_km": 50,
            "visibility": "paused",
        },
        headers=someone.headers,
    )
    assert paused.status_code == 200, paused.text
    later = api.http.get("/api/v1/discover", headers=ada.headers).json()
    assert someone.user_id not in {item["member"]["user_id"] for item in later["items"]}

    _problem(
        api.http.get("/api/v1/discover", params={"cursor": "%%%"}, headers=ada.headers),
        422,
        "validation_failed",
    )


@pytest.mark.parametrize("path", ["/api/v1/discover", "/api/v1/matches/daily"])
def test_a_paused_caller_sees_nobody(api: Api, path: str) -> None:
    paused = member(api, visibility="paused")
    response = api.http.get(path, headers=paused.headers)
    if path.endswith("daily"):
        assert response.status_code == 200
        assert response.json()["items"] == []
    else:
        _problem(response, 403, "profile_paused")


def test_likes_sent_at_once_are_each_answered_on_their_own(api: Api) -> None:
    """ADR 0051: likes arriving together are decided in batches. Whatever shares a batch,
    crossing likes make one match per pair, a repeated like is refused and a like of
    nobody is not found, each on its own request."""
    women = [member(api) for _ in range(4)]
    men = [man(api) for _ in range(4)]
    requests: list[tuple[Member, Member | str]] = [
        (who, whom) for w, m in zip(women, men, strict=True) for who, whom in ((w, m), (m, w))
    ]
    requests += [(women[0], men[0]), (women[1], str(uuid.uuid4()))]
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(lambda call: _like(api, *call), requests))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 8 + [404, 409]
    matched = [
        a.json()["match_id"] for a in answers if a.status_code == 201 and a.json()["matched"]
    ]
    assert len(matched) == len(set(matched)) == 4
    for woman in women:
        listed = api.http.get("/api/v1/matches", headers=woman.headers).json()
        assert len(listed["items"]) == 1
