"""A live API: real uvicorn on a loopback port, an httpx client and mail-folder helpers.

Tests speak HTTP to it and read the verification mails from the mail folder, exactly as
a developer would.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

from saltbitter.adapters.mail import read_eml
from saltbitter.entrypoints.http import create_app
from saltbitter.entrypoints.settings import Settings

PASSWORD = "a long and lovely passphrase"
_CODE = re.compile(r"\b(\d{6})\b")


T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 15.0) -> T:
    """``check()`` once it is truthy, or its last value after ``timeout`` seconds: for
    what the live server does after answering (its in-process jobs)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.port = _free_port()
        # The payment stand-in delivers its signed webhooks to this very server.
        self.settings = settings = replace(settings, public_base_url=self.url)
        config = uvicorn.Config(
            create_app(settings, configure_logs=False),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Api:
    """An httpx client on the live server plus the helpers every flow needs."""

    http: httpx.Client
    mail_folder: Path

    def new_email(self) -> str:
        return f"member-{uuid.uuid4().hex[:10]}@example.org"

    def register(self, email: str, **overrides: Any) -> httpx.Response:
        body = {
            "email": email,
            "password": PASSWORD,
            "display_name": "Robin",
            "birthdate": "1994-06-02",
            "timezone": "Europe/Berlin",
            "accept_terms": True,
            "accept_privacy": True,
        }
        body.update(overrides)
        return self.http.post("/api/v1/auth/register", json=body)

    def mails_to(self, email: str) -> list[Any]:
        if not self.mail_folder.exists():
            return []
        messages = [read_eml(path) for path in sorted(self.mail_folder.glob("*.eml"))]
        return [message for message in messages if message.to == email]

    def wait_for_code(self, email: str, *, already_seen: int = 0, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mails = self.mails_to(email)
            if len(mails) > already_seen:
                match = _CODE.search(mails[-1].text)
                assert match, "the mail's text/plain part carries the code"
                return match.group(1)
            time.sleep(0.05)
        raise AssertionError(f"no mail reached {email} within {timeout} s")

    def verified_member(self, **overrides: Any) -> str:
        """Registers (with ``overrides`` of the sign-up body) and verifies a new member."""
        email = self.new_email()
        assert self.register(email, **overrides).status_code == 202
        code = self.wait_for_code(email)
        assert (
            self.http.post("/api/v1/auth/verify", json={"email": email, "code": code}).status_code
            == 200
        )
        return email

    def login(self, email: str, password: str = PASSWORD, device: str = "pytest") -> dict[str, Any]:
        response = self.http.post(
            "/api/v1/auth/login",
            json={"email": email, "password": password},
            headers={"user-agent": device},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    @staticmethod
    def bearer(tokens: dict[str, Any]) -> dict[str, str]:
        return {"authorization": f"Bearer {tokens['access_token']}"}
