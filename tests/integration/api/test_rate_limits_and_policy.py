"""Settings-driven behaviour that needs its own server: rate limits and the allow-list."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from support.live_api import LiveServer


def test_auth_endpoints_are_limited_per_ip_with_retry_after(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    with (
        live_server_factory(auth_rate_limit_per_minute=3) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        statuses = [
            http.post("/api/v1/auth/password-reset", json={"email": "x@example.org"}).status_code
            for _ in range(4)
        ]
        assert statuses == [202, 202, 202, 429]
        limited = http.post("/api/v1/auth/login", json={"email": "x@example.org", "password": "y"})
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["code"] == "rate_limited"
        # Health probes are never limited.
        assert http.get("/health/live").status_code == 200


def test_other_endpoints_are_limited_per_caller_before_authentication(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    with (
        live_server_factory(user_rate_limit_per_minute=2) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        statuses = [http.get("/api/v1/me").status_code for _ in range(3)]
        assert statuses == [401, 401, 429]


def test_sign_up_can_be_limited_to_approved_domains(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    with (
        live_server_factory(allowed_email_domains=("uni.example.edu",)) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        body = {
            "password": "a long and lovely passphrase",
            "display_name": "Kim",
            "birthdate": "2000-01-01",
            "timezone": "UTC",
            "accept_terms": True,
            "accept_privacy": True,
        }
        outsider = http.post("/api/v1/auth/register", json={**body, "email": "kim@example.org"})
        assert outsider.status_code == 422
        assert outsider.json()["errors"][0]["code"] == "domain_not_allowed"
        student = http.post("/api/v1/auth/register", json={**body, "email": "kim@UNI.example.edu"})
        assert student.status_code == 202


def test_with_redis_dead_the_api_keeps_serving_and_readiness_says_degraded(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    dead_redis = "redis://127.0.0.1:1/0"
    with (
        live_server_factory(redis_url=dead_redis, auth_rate_limit_per_minute=2) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        ready = http.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "degraded",
            "checks": {"database": "ok", "cache": "down", "rate_limiter": "in_process"},
        }
        assert http.get("/health/live").status_code == 200
        me = http.get("/api/v1/me")
        assert me.status_code == 401  # served (no token), not 503
        assert "Traceback" not in me.text
        body = {"email": "nobody@example.org", "password": "not the password"}
        statuses = [http.post("/api/v1/auth/login", json=body).status_code for _ in range(3)]
        assert statuses == [401, 401, 429]  # still limited, in this process
