"""The ``Mailer`` contract: what arrives through the transport is what was sent.

Subclass :class:`MailerContract` and provide two fixtures: ``mailer`` (the adapter under
test) and ``sent_messages``, an async callable returning, oldest first, the messages the
transport actually delivered since the test began, read back from the transport itself
(the .eml files, the SES endpoint's record), never from the adapter's memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from email.utils import parseaddr

import pytest

from saltbitter.application.ports.mail import Mailer, OutgoingEmail

__all__ = ["MailerContract", "SentMessages"]

SentMessages = Callable[[], Awaitable[Sequence[OutgoingEmail]]]


class MailerContract:
    @pytest.fixture
    def mailer(self) -> Mailer:
        raise NotImplementedError("provide the Mailer under test")

    @pytest.fixture
    def sent_messages(self) -> SentMessages:
        raise NotImplementedError("provide a reader of the messages the transport delivered")

    async def test_the_text_part_carries_the_code(
        self, mailer: Mailer, sent_messages: SentMessages
    ) -> None:
        text = "Hello Ada,\n\nYour code is: 482913\n\nSaltBitter\n"
        await mailer.send(OutgoingEmail("ada@example.org", "Your code", text))
        [delivered] = await sent_messages()
        assert "Your code is: 482913" in delivered.text
        assert delivered.text.strip() == text.strip()
        assert delivered.html is None

    async def test_subject_and_recipient_are_preserved(
        self, mailer: Mailer, sent_messages: SentMessages
    ) -> None:
        await mailer.send(OutgoingEmail("grace@example.org", "Reset your password", "Code 000123"))
        [delivered] = await sent_messages()
        assert delivered.subject == "Reset your password"
        assert parseaddr(delivered.to)[1] == "grace@example.org"
        assert "000123" in delivered.text

    async def test_unicode_survives_in_names_subject_and_body(
        self, mailer: Mailer, sent_messages: SentMessages
    ) -> None:
        to = "Zoë Ünïcødé-Łukasz 李 <zoe@example.org>"
        subject = "Ton code ☕ — Привет, Zoë"
        text = "Bonjour Zoë ! Votre code : 765432 ✓\nДо свидания 👋\n"
        await mailer.send(OutgoingEmail(to, subject, text))
        [delivered] = await sent_messages()
        assert parseaddr(delivered.to) == ("Zoë Ünïcødé-Łukasz 李", "zoe@example.org")
        assert delivered.subject == subject
        assert delivered.text.strip() == text.strip()

    async def test_the_html_alternative_is_delivered_when_given(
        self, mailer: Mailer, sent_messages: SentMessages
    ) -> None:
        html = "<p>Your code is <b>246810</b> — merci</p>"
        await mailer.send(OutgoingEmail("ada@example.org", "Code", "Your code is 246810", html))
        [delivered] = await sent_messages()
        assert "246810" in delivered.text
        assert delivered.html is not None
        assert "<b>246810</b>" in delivered.html
        assert "— merci" in delivered.html

    async def test_every_message_is_delivered_in_order(
        self, mailer: Mailer, sent_messages: SentMessages
    ) -> None:
        for number in range(3):
            await mailer.send(OutgoingEmail(f"user{number}@example.org", f"n{number}", "hi"))
        delivered = await sent_messages()
        assert [message.subject for message in delivered] == ["n0", "n1", "n2"]
        assert [parseaddr(message.to)[1] for message in delivered] == [
            "user0@example.org",
            "user1@example.org",
            "user2@example.org",
        ]

    async def test_messages_handed_over_together_arrive_in_order(
        self, mailer: Mailer, sent_messages: SentMessages
    ) -> None:
        messages = [OutgoingEmail(f"m{n}@example.org", f"Match {n}", f"Body {n}") for n in range(5)]
        assert await mailer.send_all(messages) == (5, None)
        assert await mailer.send_all([]) == (0, None)
        delivered = await sent_messages()
        assert [parseaddr(m.to)[1] for m in delivered] == [m.to for m in messages]
        assert [m.subject for m in delivered] == [m.subject for m in messages]
