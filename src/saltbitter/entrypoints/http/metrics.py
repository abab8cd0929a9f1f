"""Request metrics for Prometheus, recorded by the outermost request middleware.

The same series Litestar's Prometheus middleware exported (``saltbitter_requests_total``,
``saltbitter_request_duration_seconds``, ``saltbitter_requests_error_total`` by method,
route template, status and app; ``saltbitter_requests_in_progress`` by method and app),
at a fraction of its cost (ADR 0047): that middleware built a ``Request``, two label
dicts and a wrapped ``send`` per request and looked each series' child up by labels
four times (~15% of a cached read's CPU). Here the children are looked up once per
(method, route, status) and kept; the timing and the status come from the request
middleware's own ``send`` wrapper. Requests no route matched count under the template
``"unmatched"`` (their raw paths would make a series per scanner probe).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = ["UNMATCHED", "RequestMetrics"]

UNMATCHED = "unmatched"
_LABELS = ("method", "path", "status_code", "app_name")

# Module level: prometheus_client's registry is per process, and several apps (tests)
# in one process share these series, as they shared Litestar's.
_REQUESTS = Counter("saltbitter_requests_total", "Total requests", _LABELS)
_ERRORS = Counter("saltbitter_requests_error_total", "Total errors in requests", _LABELS)
_DURATION = Histogram(
    "saltbitter_request_duration_seconds", "Request duration, in seconds", _LABELS
)
_IN_PROGRESS = Gauge(
    "saltbitter_requests_in_progress",
    "Total requests currently in progress",
    ("method", "app_name"),
    multiprocess_mode="livesum",
)


class RequestMetrics:
    """``started(method)`` when a request comes in, ``finished(...)`` when it is answered."""

    __slots__ = ("_app_name", "_finished", "_in_progress")

    def __init__(self, app_name: str = "saltbitter") -> None:
        self._app_name = app_name
        self._in_progress: dict[str, Gauge] = {}
        self._finished: dict[tuple[str, str, int], tuple[Counter, Histogram, Counter | None]] = {}

    def started(self, method: str) -> None:
        gauge = self._in_progress.get(method)
        if gauge is None:
            gauge = self._in_progress[method] = _IN_PROGRESS.labels(method, self._app_name)
        gauge.inc()

    def finished(self, method: str, template: str, status: int, seconds: float) -> None:
        self._in_progress[method].dec()
        key = (method, template, status)
        series = self._finished.get(key)
        if series is None:
            labels = (method, template, str(status), self._app_name)
            errors = _ERRORS.labels(*labels) if status >= 500 else None
            series = self._finished[key] = (
                _REQUESTS.labels(*labels),
                _DURATION.labels(*labels),
                errors,
            )
        requests, duration, errors = series
        requests.inc()
        duration.observe(seconds)
        if errors is not None:
            errors.inc()
