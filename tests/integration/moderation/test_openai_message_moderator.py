"""The OpenAI message moderator through the real ``openai`` SDK, against a local
OpenAI-compatible moderation endpoint that the test starts (http.server in a thread)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from saltbitter.adapters.moderation.openai_moderator import OpenAIMessageModerator
from saltbitter.domain.conversations import ModerationDecision
from saltbitter.domain.errors import Unavailable

CATEGORIES = [
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
]
# What the fake service flags, by a word in the input.
FLAGS = {"threat": ["harassment", "harassment/threatening"], "rude": ["harassment"]}


class ModerationHandler(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []  # noqa: RUF012 - shared by the test

    def do_POST(self) -> None:
        length = int(self.headers["content-length"])
        body = json.loads(self.rfile.read(length))
        ModerationHandler.requests.append(
            {"path": self.path, "body": body, "auth": self.headers["authorization"]}
        )
        if "overloaded" in body["input"]:
            self.send_response(500)
            self.end_headers()
            return
        flagged = [c for word, cats in FLAGS.items() if word in body["input"] for c in cats]
        result = {
            "flagged": bool(flagged),
            "categories": {c: c in flagged for c in CATEGORIES},
            "category_scores": {c: 0.9 if c in flagged else 0.01 for c in CATEGORIES},
            "category_applied_input_types": {c: ["text"] for c in CATEGORIES},
        }
        payload = json.dumps({"id": "modr-1", "model": body["model"], "results": [result]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ModerationHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


async def _moderator(base_url: str) -> OpenAIMessageModerator:
    return OpenAIMessageModerator.connect("sk-test", base_url, "omni-moderation-latest", 2.0)


async def test_clean_text_is_allowed_through_the_sdk(endpoint: str) -> None:
    moderator = await _moderator(endpoint)
    try:
        screening = await moderator.screen("Fancy a coffee on Sunday?")
    finally:
        await moderator.aclose()
    assert screening.decision is ModerationDecision.ALLOW
    last = ModerationHandler.requests[-1]
    assert last["path"] == "/v1/moderations"
    assert last["body"] == {"model": "omni-moderation-latest", "input": "Fancy a coffee on Sunday?"}
    assert last["auth"] == "Bearer sk-test"


async def test_threats_block_other_flags_hold(endpoint: str) -> None:
    moderator = await _moderator(endpoint)
    try:
        threat = await moderator.screen("this is a threat")
        rude = await moderator.screen("you are rude")
    finally:
        await moderator.aclose()
    assert threat.decision is ModerationDecision.BLOCK
    assert "openai:harassment/threatening" in threat.reasons
    assert rude.decision is ModerationDecision.HOLD
    assert rude.reasons == ("openai:harassment",)


async def test_local_rules_still_catch_what_the_service_does_not(endpoint: str) -> None:
    moderator = await _moderator(endpoint)
    try:
        scam = await moderator.screen("please buy gift cards for me")
    finally:
        await moderator.aclose()
    assert scam.decision is ModerationDecision.HOLD
    assert "scam_pattern" in scam.reasons


async def test_a_failing_or_unreachable_service_is_unavailable(endpoint: str) -> None:
    moderator = await _moderator(endpoint)
    try:
        with pytest.raises(Unavailable):
            await moderator.screen("overloaded")
    finally:
        await moderator.aclose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = await _moderator(f"http://127.0.0.1:{closed_port}/v1")
    try:
        with pytest.raises(Unavailable) as caught:
            await unreachable.screen("hello")
    finally:
        await unreachable.aclose()
    assert caught.value.code == "moderation_unavailable"
