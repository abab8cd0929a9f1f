"""The AI API on a live server (SQLite, and PostgreSQL + Redis): consent gate, labels,
crisis first, quota (under concurrency on PostgreSQL), own matches only, history, and
provider failures as 503 ai_unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from saltbitter.adapters.sqlalchemy import create_engine_for
from saltbitter.adapters.sqlalchemy.tables_members import matches
from saltbitter.entrypoints.settings import Settings
from support.conversations_api import Member, signed_in
from support.live_api import Api, LiveServer
from support.openai_server import FakeOpenAI

AI = "/api/v1/ai"


@pytest.fixture(scope="module")
async def engine(backend_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(backend_settings.effective_database_url)
    yield engine
    await engine.dispose()


def _consent(api: Api, auth: dict[str, str], granted: bool = True) -> None:
    response = api.http.put(
        "/api/v1/me/consents/ai_features", json={"granted": granted}, headers=auth
    )
    assert response.status_code == 200, response.text


async def _match(engine: AsyncEngine, a: Member, b: Member) -> UUID:
    match_id = uuid4()
    low, high = sorted((UUID(a.user_id), UUID(b.user_id)))
    async with engine.begin() as connection:
        await connection.execute(
            matches.insert().values(
                id=match_id, user_low=low, user_high=high, created_at=datetime.now(UTC)
            )
        )
    return match_id


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def test_personas_are_listed_with_disclosures(api: Api) -> None:
    auth = signed_in(api).headers
    personas = api.http.get(f"{AI}/personas", headers=auth).json()["items"]
    assert [p["id"] for p in personas] == ["shy", "direct", "playful", "anxious", "avoidant"]
    for persona in personas:
        disclosure = persona["disclosure"]
        assert disclosure["is_ai"] is True
        assert {"purpose", "capabilities", "limitations", "human_alternative"} <= set(disclosure)
        assert disclosure["disclosure_version"]


async def test_every_ai_endpoint_refuses_without_consent(api: Api, engine: AsyncEngine) -> None:
    me, other = signed_in(api), signed_in(api)
    auth = me.headers
    match_id = str(await _match(engine, me, other))
    calls = [
        ("post", f"{AI}/practice/shy/messages", {"body": "Hi"}),
        ("post", f"{AI}/coach/draft-feedback", {"match_id": match_id, "draft": "Hi"}),
        ("post", f"{AI}/coach/explain-assessment", {}),
        ("post", f"{AI}/icebreakers", {"match_id": match_id}),
    ]
    for method, path, body in calls:
        response = api.http.request(method, path, json=body, headers=auth)
        _problem(response, 403, "ai_consent_required")
    _consent(api, auth)
    assert api.http.post(calls[0][1], json=calls[0][2], headers=auth).status_code == 200
    _consent(api, auth, granted=False)  # withdrawal stops AI at once
    _problem(api.http.post(calls[0][1], json=calls[0][2], headers=auth), 403, "ai_consent_required")
    # ... but the history stays the member's to read and delete.
    assert len(api.http.get(f"{AI}/history", headers=auth).json()["items"]) == 1
    assert api.http.delete(f"{AI}/history", headers=auth).status_code == 204
    assert api.http.get(f"{AI}/history", headers=auth).json()["items"] == []


async def test_every_reply_is_labelled_and_the_first_fully_disclosed(
    api: Api, engine: AsyncEngine
) -> None:
    me, other = signed_in(api), signed_in(api)
    auth = me.headers
    _consent(api, auth)
    match_id = str(await _match(engine, me, other))
    first = api.http.post(f"{AI}/practice/playful/messages", json={"body": "Hey!"}, headers=auth)
    second = api.http.post(f"{AI}/practice/playful/messages", json={"body": "Hm?"}, headers=auth)
    feedback = api.http.post(
        f"{AI}/coach/draft-feedback", json={"match_id": match_id, "draft": "hey"}, headers=auth
    )
    icebreakers = api.http.post(f"{AI}/icebreakers", json={"match_id": match_id}, headers=auth)
    answers = [r.json() for r in (first, second, feedback, icebreakers)]
    for response, answer in zip((first, second, feedback, icebreakers), answers, strict=True):
        assert response.status_code == 200, response.text
        assert answer["is_ai"] is True
        assert answer["label"] == "AI-generated"
        assert answer["disclosure"]["is_ai"] is True
        assert answer["stand_in"] is True  # no API key in these settings
    assert answers[0]["disclosure"]["full"] is True
    assert answers[0]["disclosure"]["limitations"]
    assert answers[1]["disclosure"]["full"] is False
    assert answers[1]["conversation_id"] == answers[0]["conversation_id"]
    assert 1 <= len(answers[3]["suggestions"]) <= 3
    history = api.http.get(f"{AI}/history", headers=auth).json()
    assert history["used_for_training"] is False
    assert len(history["items"]) == 3


def test_crisis_check_wins_over_role_play(api: Api) -> None:
    auth = signed_in(api).headers
    _consent(api, auth)
    response = api.http.post(
        f"{AI}/practice/avoidant/messages", json={"body": "I want to end my life"}, headers=auth
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["crisis"]["kind"] == "self_harm"
    assert answer["crisis"]["resources"]
    assert "Stand-in" not in answer["reply"]  # no model (not even the stand-in) answered
    assert answer["is_ai"] is True
    explained = api.http.post(
        f"{AI}/coach/explain-assessment",
        json={"question": "he hits me, is that normal?"},
        headers=auth,
    )
    assert explained.json()["crisis"]["kind"] == "abuse"


async def test_another_members_match_is_not_found(api: Api, engine: AsyncEngine) -> None:
    auth = signed_in(api).headers
    _consent(api, auth)
    a, b = signed_in(api), signed_in(api)
    theirs = str(await _match(engine, a, b))
    for path, body in (
        (f"{AI}/icebreakers", {"match_id": theirs}),
        (f"{AI}/coach/draft-feedback", {"match_id": theirs, "draft": "hi"}),
        (f"{AI}/icebreakers", {"match_id": str(uuid4())}),
    ):
        _problem(api.http.post(path, json=body, headers=auth), 404, "match_not_found")


def test_unknown_persona_and_other_members_conversation_are_not_found(api: Api) -> None:
    auth = signed_in(api).headers
    other_auth = signed_in(api).headers
    _consent(api, auth)
    _consent(api, other_auth)
    _problem(
        api.http.post(f"{AI}/practice/flirty/messages", json={"body": "Hi"}, headers=auth),
        404,
        "persona_not_found",
    )
    mine = api.http.post(f"{AI}/practice/shy/messages", json={"body": "Hi"}, headers=auth).json()
    _problem(
        api.http.delete(f"{AI}/history/{mine['conversation_id']}", headers=other_auth),
        404,
        "conversation_not_found",
    )
    assert (
        api.http.delete(f"{AI}/history/{mine['conversation_id']}", headers=auth).status_code == 204
    )


async def test_quota_holds_under_concurrency(api: Api) -> None:
    """On PostgreSQL rows race; SQLite serialises the writers: exactly 50 either way."""
    auth = signed_in(api).headers
    _consent(api, auth)
    async with httpx.AsyncClient(base_url=str(api.http.base_url), timeout=60) as client:

        async def send(i: int) -> httpx.Response:
            return await client.post(
                f"{AI}/practice/direct/messages", json={"body": f"Message {i}"}, headers=auth
            )

        responses = await asyncio.gather(*(send(i) for i in range(60)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 50, statuses
    assert statuses.count(429) == 10, statuses
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["code"] == "ai_quota_exceeded"
    assert "resets at" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0


def test_provider_failure_is_503_and_spends_no_quota(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    with FakeOpenAI() as provider:
        provider.fail_next(500, times=1)
        server = live_server_factory(
            openai_api_key="test-key", openai_base_url=provider.base_url, openai_max_retries=0
        )
        with server, httpx.Client(base_url=server.url, timeout=30) as http:
            api = Api(http, server.settings.mail_folder)
            auth = signed_in(api).headers
            _consent(api, auth)
            failed = http.post(f"{AI}/practice/shy/messages", json={"body": "Hi"}, headers=auth)
            _problem(failed, 503, "ai_unavailable")
            answered = http.post(f"{AI}/practice/shy/messages", json={"body": "Hi"}, headers=auth)
            assert answered.status_code == 200, answered.text
            assert answered.json()["reply"] == provider.reply
            assert answered.json()["stand_in"] is False
            assert answered.json()["quota_remaining"] == 49  # the failure cost nothing
            [_, body] = provider.bodies()
            assert body["store"] is False
