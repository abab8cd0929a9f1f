"""A tiny OpenAI-compatible HTTP endpoint for tests, on 127.0.0.1 only.

It answers ``POST /v1/chat/completions`` and ``POST /v1/moderations`` in the shapes
OpenAI documents (a ``chat.completion`` object; a moderation object with ``results``),
records every request body, and can be told to fail: ``fail_next(status, times)`` makes
the next requests answer that status with an OpenAI error body, ``delay_seconds`` makes
each answer wait (for timeouts). Failures carry OpenAI's ``retry-after-ms`` header
(``retry_after_ms``, 1 ms by default), which the SDK honours instead of its own backoff
of half a second and more, so retry tests do not wait. With ``response_format`` of type
``json_schema`` it answers a JSON document ``{"items": [...]}`` from ``items``. Use it as
a context manager; ``base_url`` is what an ``AsyncOpenAI(base_url=...)`` client takes.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

__all__ = ["FakeOpenAI"]

_MODERATION_CATEGORIES = ("harassment", "hate", "self-harm", "sexual", "violence")


@dataclass
class FakeOpenAI:
    reply: str = "Hi! I'm an AI practice partner."
    items: list[str] = field(default_factory=lambda: ["Opener one?", "Opener two?"])
    flag_words: tuple[str, ...] = ("kill myself",)
    delay_seconds: float = 0.0
    retry_after_ms: int | None = 1
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first (with FakeOpenAI() as ...)"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def bodies(self, path: str = "/v1/chat/completions") -> list[dict[str, Any]]:
        return [body for seen, body in self.requests if seen == path]

    def __enter__(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                del format, args  # quiet: tests read ``requests`` instead

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, answer = fake._answer(self.path, body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                if status >= 400 and fake.retry_after_ms is not None:
                    self.send_header("retry-after-ms", str(fake.retry_after_ms))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # shutdown() waits for the loop's next poll: the default 0.5 s cost every test that.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((path, body))
            failure = self._failures.pop(0) if self._failures else None
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if failure is not None:
            return failure, {
                "error": {
                    "message": "Told to fail.",
                    "type": "server_error",
                    "param": None,
                    "code": None,
                }
            }
        if path == "/v1/chat/completions":
            return 200, self._completion(body)
        if path == "/v1/moderations":
            return 200, self._moderation(body)
        return 404, {"error": {"message": "Unknown path.", "type": "invalid_request_error"}}

    def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
        response_format = body.get("response_format") or {}
        content = (
            json.dumps({"items": self.items})
            if response_format.get("type") == "json_schema"
            else self.reply
        )
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    def _moderation(self, body: dict[str, Any]) -> dict[str, Any]:
        raw = body.get("input", "")
        texts = raw if isinstance(raw, list) else [raw]
        results = []
        for text in texts:
            flagged = any(word in str(text).casefold() for word in self.flag_words)
            results.append(
                {
                    "flagged": flagged,
                    "categories": {c: flagged and c == "self-harm" for c in _MODERATION_CATEGORIES},
                    "category_scores": {
                        c: 0.99 if flagged and c == "self-harm" else 0.01
                        for c in _MODERATION_CATEGORIES
                    },
                }
            )
        return {
            "id": f"modr-{len(self.requests)}",
            "model": "omni-moderation-latest",
            "results": results,
        }
