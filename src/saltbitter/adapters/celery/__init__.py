"""Celery as the job queue of the real deployment."""

from saltbitter.adapters.celery.job_queue import CeleryJobQueue

__all__ = ["CeleryJobQueue"]
