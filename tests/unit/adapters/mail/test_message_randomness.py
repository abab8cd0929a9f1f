"""Building a message leaves the process-wide ``random`` state alone (a mail sent by the
API while a seeded computation or a Hypothesis test runs in the same process changed
it: the standard library's Message-ID and multipart boundary draw on it)."""

from __future__ import annotations

import random
import re

from saltbitter.adapters.mail.message import build_message, parse_message
from saltbitter.application.ports.mail import OutgoingEmail

SENDER = "SaltBitter <no-reply@saltbitter.test>"


def _email(html: str | None) -> OutgoingEmail:
    return OutgoingEmail(to="ada@example.org", subject="Hello", text="Plain words.", html=html)


def test_building_messages_does_not_draw_on_the_shared_random_state() -> None:
    before = random.getstate()
    for html in (None, "<p>Rich words.</p>"):
        build_message(SENDER, _email(html)).as_bytes()
    assert random.getstate() == before


def test_ids_and_boundaries_stay_unique_and_the_message_reads_back() -> None:
    messages = [build_message(SENDER, _email("<p>Rich words.</p>")) for _ in range(200)]
    ids = {message["Message-ID"] for message in messages}
    boundaries = {message.get_boundary() for message in messages}
    assert len(ids) == len(boundaries) == 200
    assert all(re.fullmatch(r"<[^@<>\s]+@saltbitter\.test>", str(i)) for i in ids)
    read_back = parse_message(messages[0].as_bytes())
    assert (read_back.text.strip(), (read_back.html or "").strip()) == (
        "Plain words.",
        "<p>Rich words.</p>",
    )
