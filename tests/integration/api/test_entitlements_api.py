"""The entitlement matrix over HTTP (SQLite, and PostgreSQL + Redis), and a downgrade that
takes effect at once everywhere, cached daily set and discovery list included.

Tiers are bought the member's way (checkout, the test-mode stand-in's Pay button and its
signed webhooks) and ended the way Stripe ends them (a signed
``customer.subscription.deleted``). The numbers come from the catalog
(``entitlements_for``), never typed twice. docs/entitlements.md has the table.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.domain.compatibility import Gender
from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import Entitlements, entitlements_for
from saltbitter.entrypoints.settings import Settings
from saltbitter.testing.contracts.matching import seed_member
from support.conversations_api import Member, member, next_event, open_socket
from support.live_api import Api
from support.matching_ports import sql_requests
from support.payments_api import end_subscription, subscribe

pytestmark = pytest.mark.timeout(180)

TAGS = ["hiking", "jazz", "cooking", "chess", "falconry", "tea", "go", "climbing"]
POOL = 125  # more than the largest allowance (Elite discovers 120 a day)


@pytest.fixture(scope="module")
async def engine(backend_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(backend_settings.effective_database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def place(engine: AsyncEngine) -> dict[str, float]:
    """A spot of our own, far from other modules' members, with a pool of men seeking
    women seeded straight into the database (registering 125 members over HTTP would
    only measure password hashing)."""
    rng = random.Random()
    at = (round(rng.uniform(-45.0, -35.0), 4), round(rng.uniform(140.0, 150.0), 4))
    async with sql_requests(engine)() as request:
        for n in range(POOL):
            await seed_member(
                request.writers,
                display_name=f"M{n}",
                gender=Gender.MAN,
                seeks=(Gender.WOMAN,),
                at=at,
                interests=TAGS[n % 5 : n % 5 + 3],
            )
        await request.transaction.commit()
    return {"lat": at[0], "lon": at[1]}


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code < 300, response.text
    body: dict[str, Any] = response.json()
    return body


def _refused(response: Any, code: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["code"] == code


def _daily(api: Api, who: Member) -> list[str]:
    body = _ok(api.http.get("/api/v1/matches/daily", headers=who.headers))
    return [item["member"]["user_id"] for item in body["items"]]


def _discover(api: Api, who: Member, **filters: Any) -> Any:
    return api.http.get("/api/v1/discover", params=filters, headers=who.headers)


def _discovered(api: Api, who: Member) -> list[str]:
    shown: list[str] = []
    cursor: str | None = None
    while True:
        params = {"cursor": cursor} if cursor else {}
        page = _ok(_discover(api, who, **params))
        shown += [item["member"]["user_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return shown


@dataclass
class Conversation:
    liker: Member
    match_id: str
    message_id: str


def _liked_and_talking(api: Api, place: dict[str, float], viewer: Member) -> Conversation:
    """Someone likes the viewer; the viewer likes back, writes, and the other reads it."""
    liker = member(api, "man", "woman", place)
    _ok(api.http.post("/api/v1/likes", json={"user_id": viewer.user_id}, headers=liker.headers))
    return Conversation(liker, "", "")


def _match_and_read(api: Api, viewer: Member, talk: Conversation) -> Conversation:
    back = _ok(
        api.http.post("/api/v1/likes", json={"user_id": talk.liker.user_id}, headers=viewer.headers)
    )
    assert back["matched"] is True
    match_id = back["match_id"]
    sent = _ok(
        api.http.post(
            f"/api/v1/matches/{match_id}/messages",
            json={"body": "Hello!", "client_message_id": uuid.uuid4().hex},
            headers=viewer.headers,
        )
    )
    read = api.http.post(
        f"/api/v1/matches/{match_id}/read",
        json={"up_to_message_id": sent["id"]},
        headers=talk.liker.headers,
    )
    assert read.status_code == 204, read.text
    return Conversation(talk.liker, match_id, sent["id"])


def _read_at(api: Api, viewer: Member, talk: Conversation) -> Any:
    page = _ok(api.http.get(f"/api/v1/matches/{talk.match_id}/messages", headers=viewer.headers))
    [message] = [m for m in page["items"] if m["id"] == talk.message_id]
    return message["read_at"]


def _ai_remaining(api: Api, who: Member) -> int:
    answer = _ok(
        api.http.post(
            "/api/v1/ai/practice/direct/messages", json={"body": "Hi there"}, headers=who.headers
        )
    )
    remaining: int = answer["quota_remaining"]
    return remaining


def _assert_entitled(
    api: Api,
    viewer: Member,
    talk: Conversation,
    wanted: Entitlements,
    *,
    ai_used: int,
) -> None:
    """Every gated feature answers as ``wanted`` says."""
    assert len(_daily(api, viewer)) == wanted.daily_matches
    assert len(_discovered(api, viewer)) == wanted.discover_profiles_per_day
    filtered = _discover(api, viewer, min_compatibility=0.0, relationship_goal="long_term")
    if wanted.advanced_filters:
        _ok(filtered)
    else:
        _refused(filtered, "upgrade_required")
    for bad in ({"min_compatibility": 2}, {"relationship_goal": "marriage"}):
        refused = _discover(api, viewer, **bad)
        assert refused.status_code == 422, refused.text  # for every tier: checked first
        assert refused.json()["code"] == "validation_failed"
    received = api.http.get("/api/v1/likes/received", headers=viewer.headers)
    if wanted.see_who_liked_you:
        assert talk.liker.user_id in [i["member"]["user_id"] for i in _ok(received)["items"]]
    else:
        _refused(received, "upgrade_required")
    assert (_read_at(api, viewer, talk) is not None) is wanted.read_receipts
    assert _ai_remaining(api, viewer) == wanted.ai_practice_messages_per_day - ai_used - 1


@pytest.mark.parametrize("tier", list(Tier), ids=[t.value for t in Tier])
def test_each_gated_feature_follows_the_tier(api: Api, place: dict[str, float], tier: Tier) -> None:
    viewer = member(api, "woman", "man", place)
    subscribe(api, viewer.headers, tier.value)
    assert _ok(api.http.get("/api/v1/me", headers=viewer.headers))["tier"] == tier.value
    _ok(
        api.http.put(
            "/api/v1/me/consents/ai_features", json={"granted": True}, headers=viewer.headers
        )
    )
    talk = _liked_and_talking(api, place, viewer)
    # Who liked you first (the like is still unanswered), then the conversation.
    received = api.http.get("/api/v1/likes/received", headers=viewer.headers)
    if entitlements_for(tier).see_who_liked_you:
        assert [i["member"]["user_id"] for i in _ok(received)["items"]] == [talk.liker.user_id]
    else:
        _refused(received, "upgrade_required")
    talk = _match_and_read(api, viewer, talk)
    another = _liked_and_talking(api, place, viewer)  # keeps "likes received" non-empty
    talk = Conversation(another.liker, talk.match_id, talk.message_id)
    _assert_entitled(api, viewer, talk, entitlements_for(tier), ai_used=0)


def test_a_downgrade_takes_effect_at_once_caches_included(
    api: Api, backend_settings: Settings, place: dict[str, float]
) -> None:
    viewer = member(api, "woman", "man", place)
    subscribe(api, viewer.headers, "elite")
    _ok(
        api.http.put(
            "/api/v1/me/consents/ai_features", json={"granted": True}, headers=viewer.headers
        )
    )
    talk = _match_and_read(api, viewer, _liked_and_talking(api, place, viewer))
    talk = Conversation(
        _liked_and_talking(api, place, viewer).liker, talk.match_id, talk.message_id
    )
    elite = _daily(api, viewer)
    _assert_entitled(api, viewer, talk, entitlements_for(Tier.ELITE), ai_used=0)
    assert _daily(api, viewer) == elite  # served from the cache now

    end_subscription(api, backend_settings, viewer.email)  # Stripe: the subscription ended

    assert _ok(api.http.get("/api/v1/me", headers=viewer.headers))["tier"] == "free"
    assert (
        _ok(api.http.get("/api/v1/subscriptions/me", headers=viewer.headers))["effective_tier"]
        == "free"
    )
    free = entitlements_for(Tier.FREE)
    # The cached Elite set is not served: its best ten are, on the very next request.
    assert _daily(api, viewer) == elite[: free.daily_matches]
    _assert_entitled(api, viewer, talk, free, ai_used=1)


def _say(api: Api, sender: Member, match_id: str, body: str) -> str:
    sent = _ok(
        api.http.post(
            f"/api/v1/matches/{match_id}/messages",
            json={"body": body, "client_message_id": uuid.uuid4().hex},
            headers=sender.headers,
        )
    )
    message_id: str = sent["id"]
    return message_id


def _read(api: Api, reader: Member, match_id: str, message_id: str) -> None:
    read = api.http.post(
        f"/api/v1/matches/{match_id}/read",
        json={"up_to_message_id": message_id},
        headers=reader.headers,
    )
    assert read.status_code == 204, read.text


def test_a_downgrade_stops_read_receipts_on_an_open_socket(
    api: Api, backend_settings: Settings, place: dict[str, float]
) -> None:
    viewer = member(api, "woman", "man", place)
    subscribe(api, viewer.headers, "elite")
    talk = _match_and_read(api, viewer, _liked_and_talking(api, place, viewer))
    token = viewer.headers["authorization"].removeprefix("Bearer ")
    with ExitStack() as stack:
        socket = open_socket(stack, str(api.http.base_url), token)
        first = _say(api, viewer, talk.match_id, "Still there?")
        _read(api, talk.liker, talk.match_id, first)
        receipt = next_event(socket, "message.read")
        assert receipt["reader_id"] == talk.liker.user_id

        end_subscription(api, backend_settings, viewer.email)  # the socket stays open

        second = _say(api, viewer, talk.match_id, "Hello again")
        _read(api, talk.liker, talk.match_id, second)
        answer = _say(api, talk.liker, talk.match_id, "Yes!")  # arrives after any receipt
        seen: list[str] = []
        while True:
            event = json.loads(socket.recv(timeout=10))
            seen.append(event["type"])
            if event["type"] == "message.new" and event["message"]["id"] == answer:
                break
        assert "message.read" not in seen, seen
