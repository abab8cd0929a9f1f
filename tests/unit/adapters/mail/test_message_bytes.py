"""``message_bytes`` writes what ``build_message(...).as_bytes()`` writes, byte for byte
(the Message-ID aside, fresh each time), for any display name, subject, body and
address; the usual email takes the direct path, and whatever comes out reads back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from saltbitter.adapters.mail import message as mail_message
from saltbitter.adapters.mail.message import build_message, message_bytes, parse_message
from saltbitter.application.notifications.messages import (
    MODERATION_SUBJECTS,
    NEW_MATCH_SUBJECT,
    new_match_email,
)
from saltbitter.application.ports.mail import OutgoingEmail

SENDERS = (
    "SaltBitter <no-reply@saltbitter.local>",
    "SaltBitter ☕ <no-reply@saltbitter.test>",
    "no-reply@saltbitter.test",
)
NOW = datetime(2026, 12, 7, 18, 0, 7, 123456, tzinfo=UTC)
_MESSAGE_ID = re.compile(rb"^Message-ID: <[^>]+>\r\n", re.MULTILINE)

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)
subjects = st.one_of(
    st.sampled_from([NEW_MATCH_SUBJECT, *MODERATION_SUBJECTS.values()]),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\r\n"),
        min_size=1,
        max_size=120,
    ),
)
addresses = st.one_of(
    st.emails(),
    st.sampled_from(["ada@example.org", "Ada Lovelace <ada@example.org>", "zoë@exämple.org"]),
)


def _without_id(data: bytes) -> bytes:
    replaced, count = _MESSAGE_ID.subn(b"Message-ID: <id>\r\n", data)
    assert count == 1
    return replaced


def _both(sender: str, email: OutgoingEmail, now: datetime = NOW) -> tuple[bytes, bytes]:
    try:
        expected = build_message(sender, email, now=now).as_bytes()
    except ValueError as refused:  # a line break in a header: refused alike
        with pytest.raises(ValueError, match=re.escape(str(refused))):
            message_bytes(sender, email, now=now)
        return b"", b""
    return _without_id(message_bytes(sender, email, now=now)), _without_id(expected)


@settings(max_examples=300, deadline=None)
@given(name=names, sender=st.sampled_from(SENDERS), to=addresses)
@example(name="Zoë Ünal", sender=SENDERS[1], to="ada@example.org")
@example(name="", sender=SENDERS[0], to="a.b+c@x-y.example.org")
def test_new_match_emails_are_the_bytes_the_message_builder_writes(
    name: str, sender: str, to: str
) -> None:
    subject, body = new_match_email(name)
    fast, expected = _both(sender, OutgoingEmail(to=to, subject=subject, text=body))
    assert fast == expected
    read_back = parse_message(fast)
    assert (read_back.subject, read_back.text) == (subject, body)


@settings(max_examples=500, deadline=None)
@given(subject=subjects, text=texts, seconds=st.integers(0, 10**9))
@example(subject="Ünïcödé ☕ " * 12, text="", seconds=0)
@example(subject="x", text="a" * 79 + "\n" + "b\n" * 12, seconds=0)
@example(subject="x", text="a" * 200, seconds=0)
@example(subject="x", text="\x0b\x0c\x1c\x85\u2028line\r\nnext\rlast", seconds=0)
@example(subject="x", text="é\x00\x7f" * 40, seconds=0)
@example(subject="a\x0bb", text="", seconds=0)
def test_any_subject_and_body_are_the_bytes_the_message_builder_writes(
    subject: str, text: str, seconds: int
) -> None:
    email = OutgoingEmail(to="ada@example.org", subject=subject, text=text)
    now = NOW + timedelta(seconds=seconds)
    fast, expected = _both(SENDERS[1], email, now)
    assert fast == expected


def test_the_usual_email_takes_the_direct_path_and_reads_back() -> None:
    subject, body = new_match_email("Zoë Ünal")
    email = OutgoingEmail(to="zoe@example.org", subject=subject, text=body)
    direct = mail_message._text_message(SENDERS[1], email, NOW)
    assert direct is not None
    read_back = parse_message(direct)
    assert read_back == OutgoingEmail(to=email.to, subject=subject, text=body)


def test_an_html_email_and_several_recipients_go_through_the_builder() -> None:
    html = OutgoingEmail(to="ada@example.org", subject="Hi", text="Plain.", html="<p>Rich</p>")
    read_back = parse_message(message_bytes(SENDERS[0], html))
    assert (read_back.text.strip(), (read_back.html or "").strip()) == ("Plain.", "<p>Rich</p>")
    two = OutgoingEmail(to="ada@example.org, bob@example.org", subject="Hi", text="Plain.")
    with pytest.raises(ValueError, match="exactly one recipient"):
        message_bytes(SENDERS[0], two)
