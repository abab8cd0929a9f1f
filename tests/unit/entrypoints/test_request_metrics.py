"""Request metrics as the outermost middleware records them (ADR 0047): by method, route
template and status; unmatched paths under one label; errors counted; /metrics itself
not counted; nothing left in progress."""

from __future__ import annotations

import uuid

from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient
from prometheus_client import REGISTRY

from saltbitter.entrypoints.http.metrics import UNMATCHED, RequestMetrics
from saltbitter.entrypoints.http.middleware import RequestContextMiddleware


@get("/items/{item_id:int}", sync_to_thread=False)
def item(item_id: FromPath[int]) -> dict[str, int]:
    return {"id": item_id}


@get("/broken", sync_to_thread=False)
def broken() -> None:
    raise RuntimeError("a defect")


@get("/metrics", sync_to_thread=False)
def metrics() -> str:
    return "scraped"


def _app(app_name: str) -> Litestar:
    app = Litestar(route_handlers=[item, broken, metrics], debug=False, logging_config=None)
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler, RequestMetrics(app_name))
    return app


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_requests_are_counted_by_route_template_status_and_method() -> None:
    app_name = f"test-{uuid.uuid4().hex[:8]}"
    with TestClient(_app(app_name)) as client:
        for item_id in (1, 2, 3):
            assert client.get(f"/items/{item_id}").status_code == 200
        assert client.get("/nowhere/at/all").status_code == 404
        assert client.get("/broken").status_code == 500
        assert client.get("/metrics").status_code == 200

    ok = {"method": "GET", "path": "/items/{item_id}", "status_code": "200"}
    assert _sample("saltbitter_requests_total", **ok, app_name=app_name) == 3
    assert _sample("saltbitter_request_duration_seconds_count", **ok, app_name=app_name) == 3
    assert _sample("saltbitter_request_duration_seconds_sum", **ok, app_name=app_name) > 0
    unmatched = {"method": "GET", "path": UNMATCHED, "status_code": "404"}
    assert _sample("saltbitter_requests_total", **unmatched, app_name=app_name) == 1
    failed = {"method": "GET", "path": "/broken", "status_code": "500"}
    assert _sample("saltbitter_requests_total", **failed, app_name=app_name) == 1
    assert _sample("saltbitter_requests_error_total", **failed, app_name=app_name) == 1
    assert _sample("saltbitter_requests_error_total", **ok, app_name=app_name) == 0
    scraped = {"method": "GET", "path": "/metrics", "status_code": "200"}
    assert _sample("saltbitter_requests_total", **scraped, app_name=app_name) == 0
    assert _sample("saltbitter_requests_in_progress", method="GET", app_name=app_name) == 0
