"""The Celery app's configuration, shared by the worker and by whoever only sends jobs.

The composition root needs a configured app to hand jobs to the queue; the worker needs
the composition root to run them. Keeping the configuration here lets both import it
without importing each other.
"""

from __future__ import annotations

from celery import Celery

from saltbitter.entrypoints.scheduler import periodic_jobs
from saltbitter.entrypoints.settings import Settings

__all__ = ["configured_celery"]


def configured_celery(settings: Settings) -> Celery:
    """A Celery app with the broker, Beat's schedule, JSON only and late acks; no tasks."""
    broker = settings.effective_broker_url
    if broker is None:
        raise SystemExit("Set SALTBITTER_REDIS_URL (or SALTBITTER_BROKER_URL) to use Celery.")
    app = Celery("saltbitter", broker=broker, backend=settings.result_backend, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        task_ignore_result=settings.result_backend is None,
        accept_content=["json"],
        task_default_queue=settings.task_queue,
        task_acks_late=True,  # a job lost with its worker runs again: jobs are idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule=periodic_jobs(),
        # Redis only: how long a job a dead worker held stays invisible before it is
        # handed out again (a prefork child's death requeues at once, see above).
        broker_transport_options=broker_transport_options(
            settings.broker_visibility_timeout_seconds
        ),
    )
    return app


def broker_transport_options(visibility_timeout_seconds: int) -> dict[str, int]:
    """kombu's Redis options for jobs a dead worker held.

    kombu looks for expired jobs every ``unacked_restore_interval`` seconds but scans only
    on every ``unacked_restore_throttle``-th look (10 x 10 s by default), so a job could
    wait 100 s past its visibility timeout. Scanning on every look, a third of the timeout
    apart (at most 10 s), hands it out again within a third of the timeout: one cheap
    sorted-set read per worker per look.
    """
    return {
        "visibility_timeout": visibility_timeout_seconds,
        "unacked_restore_interval": max(1, min(10, visibility_timeout_seconds // 3)),
        "unacked_restore_throttle": 1,
    }
