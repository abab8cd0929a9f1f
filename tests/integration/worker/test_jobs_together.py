"""A real Celery worker runs a relay's burst of matches as one task (ADR 0054)."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import psycopg

from saltbitter.adapters.celery import CeleryJobQueue
from saltbitter.application.matching.events import MatchCreated
from saltbitter.application.notifications.topics import NOTIFY_NEW_MATCH
from saltbitter.domain.shared import UserId
from saltbitter.entrypoints.jobs import JOBS_TAKEN_TOGETHER
from saltbitter.entrypoints.settings import Settings
from saltbitter.entrypoints.worker import celery_app_for
from saltbitter.testing.builders import a_user
from support.accounts import store_users


def _store_members(settings: Settings, count: int) -> list[UserId]:
    users = [a_user(email=f"together-{uuid4().hex[:8]}@example.org") for _ in range(count)]
    store_users(settings.effective_database_url, users)
    return [user.id for user in users]


def test_a_burst_of_matches_is_one_task_that_tells_every_member(
    worker: Path, worker_settings: Settings
) -> None:
    ada, bo, cy = _store_members(worker_settings, 3)
    events = [
        MatchCreated(match_id=uuid4(), user_a=ada, user_b=bo),
        MatchCreated(match_id=uuid4(), user_a=bo, user_b=cy),
    ]
    queue = CeleryJobQueue(celery_app_for(worker_settings), together=JOBS_TAKEN_TOGETHER)
    [task] = queue.send_together(NOTIFY_NEW_MATCH, events)
    assert task.get(timeout=60) == 4  # both matches' notifications, in one task
    plain = worker_settings.effective_database_url.replace("+psycopg", "")
    with psycopg.connect(plain) as connection:
        rows = connection.execute(
            "SELECT user_id, payload->>'match_id' FROM notifications ORDER BY 1, 2"
        ).fetchall()
    told = sorted((user, match) for user, match in rows)
    expected = sorted(
        (member, str(event.match_id)) for event in events for member in (event.user_a, event.user_b)
    )
    assert told == expected
    # Without the job among those taken together: one task per input (nothing new).
    one_each = CeleryJobQueue(celery_app_for(worker_settings)).send_together(
        NOTIFY_NEW_MATCH, events
    )
    assert [sent.get(timeout=60) for sent in one_each] == [0, 0]
