"""A member a moderator warns, suspends or bans is emailed once, through the outbox and
the notifications capability, on a live server (SQLite, jobs in process)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from saltbitter.application.notifications.messages import MODERATION_SUBJECTS
from support.conversations_api import grant_role
from support.live_api import Api, LiveServer


def _moderation_mails(api: Api, email: str) -> list[str]:
    subjects = set(MODERATION_SUBJECTS.values())
    return [m.subject for m in api.mails_to(email) if m.subject in subjects]


def _wait_for_mails(api: Api, email: str, count: int) -> list[str]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = _moderation_mails(api, email)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return _moderation_mails(api, email)


def test_warn_suspend_and_ban_each_email_the_member_once(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    # Quiet hours off: the emails leave at once whatever the time of the run.
    server = live_server_factory(quiet_hours_start="00:00", quiet_hours_end="00:00")
    with server, httpx.Client(base_url=server.url, timeout=30) as http:
        api = Api(http, server.settings.mail_folder)
        moderator_email = api.verified_member()
        grant_role(server.settings, moderator_email, "moderator")
        moderator = api.bearer(api.login(moderator_email))
        reporter = api.bearer(api.login(api.verified_member()))

        expected: list[str] = []
        for action, days, subject in (
            ("warn", None, MODERATION_SUBJECTS["moderation_warned"]),
            ("suspend", 2, MODERATION_SUBJECTS["moderation_suspended"]),
            ("ban", None, MODERATION_SUBJECTS["moderation_banned"]),
        ):
            target_email = api.verified_member()
            target_id = http.get("/api/v1/me", headers=api.bearer(api.login(target_email))).json()[
                "user_id"
            ]
            report = http.post(
                "/api/v1/reports",
                json={
                    "user_id": target_id,
                    "reason": "harassment",
                    "details": "Rude messages again.",
                    "block": False,
                },
                headers=reporter,
            )
            assert report.status_code == 201, report.text
            body: dict[str, object] = {"action": action, "note": "Decided."}
            if days is not None:
                body["days"] = days
            done = http.post(
                f"/api/v1/moderation/reports/{report.json()['id']}/resolve",
                json=body,
                headers=moderator,
            )
            assert done.status_code == 200, done.text
            assert _wait_for_mails(api, target_email, 1) == [subject]
            expected.append(target_email)

        # Nothing more arrives for anyone (no duplicate, the reporter hears nothing).
        time.sleep(1)
        for email in expected:
            assert len(_moderation_mails(api, email)) == 1
        assert _moderation_mails(api, moderator_email) == []
