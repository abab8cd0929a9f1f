from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.adapters.mail import FileMailer, read_eml
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.domain.errors import Unavailable
from saltbitter.testing.contracts.mail import MailerContract, SentMessages
from saltbitter.testing.fakes import InMemoryMailer

SENDER = "SaltBitter ☕ <no-reply@saltbitter.test>"


class TestFileMailer(MailerContract):
    @pytest.fixture
    def mailer(self, tmp_path: Path) -> FileMailer:
        return FileMailer(tmp_path / "outbox", SENDER)

    @pytest.fixture
    def sent_messages(self, mailer: FileMailer) -> SentMessages:
        async def read() -> Sequence[OutgoingEmail]:
            return [read_eml(path) for path in sorted(mailer.folder.glob("*.eml"))]

        return read


class TestInMemoryMailer(MailerContract):
    """The shipped fake keeps the same promises."""

    @pytest.fixture
    def mailer(self) -> InMemoryMailer:
        return InMemoryMailer()

    @pytest.fixture
    def sent_messages(self, mailer: InMemoryMailer) -> SentMessages:
        async def read() -> Sequence[OutgoingEmail]:
            return list(mailer.sent)

        return read


async def test_the_file_is_a_complete_rfc_5322_message(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path, SENDER)
    await mailer.send(OutgoingEmail("ada@example.org", "Hi", "Code 123456", "<b>123456</b>"))
    [path] = mailer.sent_files()
    raw = path.read_bytes()
    assert raw.isascii()  # 7-bit clean: non-ASCII is encoded, never raw
    assert b"\r\n" in raw
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(parsed["From"]) == SENDER
    assert parsed["Date"] is not None
    assert str(parsed["Message-ID"]).endswith("@saltbitter.test>")
    assert parsed.get_content_type() == "multipart/alternative"
    assert read_eml(path) == OutgoingEmail(
        "ada@example.org", "Hi", "Code 123456\n", "<b>123456</b>\n"
    )


async def test_files_are_named_by_time_and_leave_no_temporary_behind(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "new" / "folder", SENDER)
    for number in range(5):
        await mailer.send(OutgoingEmail("a@example.org", f"n{number}", "x"))
    names = [path.name for path in mailer.sent_files()]
    assert len(names) == 5
    assert names == sorted(names)
    assert [read_eml(path).subject for path in mailer.sent_files()] == [
        f"n{number}" for number in range(5)
    ]
    assert sorted(p.name for p in mailer.folder.iterdir()) == names
    assert all(name.endswith(".eml") and name[:8].isdigit() for name in names)


async def test_an_unwritable_folder_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    mailer = FileMailer(blocker, SENDER)
    with pytest.raises(Unavailable) as caught:
        await mailer.send(OutgoingEmail("a@example.org", "s", "t"))
    assert caught.value.code == "mail_unavailable"


async def test_a_message_goes_to_exactly_one_recipient(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path, SENDER)
    with pytest.raises(ValueError, match="exactly one recipient"):
        await mailer.send(OutgoingEmail("a@example.org, b@example.org", "s", "t"))
    assert mailer.sent_files() == []


async def test_header_injection_is_refused(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path, SENDER)
    with pytest.raises(ValueError, match="linefeed"):
        await mailer.send(OutgoingEmail("a@example.org", "Hi\r\nBcc: x@evil.test", "t"))
    assert mailer.sent_files() == []


async def test_long_lines_survive_the_7_bit_encoding(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path, "no-reply@saltbitter.test")
    ascii_line, accented_line = "x" * 1200, "é" * 700
    await mailer.send(OutgoingEmail("a@example.org", "s", f"{ascii_line}\n{accented_line}"))
    [path] = mailer.sent_files()
    assert max(len(line) for line in path.read_bytes().splitlines()) <= 998
    assert read_eml(path).text == f"{ascii_line}\n{accented_line}\n"


_VALID = [OutgoingEmail(f"m{n}@example.org", f"s{n}", f"Body {n} é") for n in range(3)]
_REFUSED = OutgoingEmail("a@example.org, b@example.org", "two recipients", "t")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([*_VALID, _REFUSED]), max_size=6))
def test_handing_over_together_delivers_what_one_by_one_would(
    messages: list[OutgoingEmail],
) -> None:
    """Law: ``FileMailer.send_all`` (one thread hop) writes the files, counts and fails
    exactly as the port's one-by-one loop over ``send`` does."""

    async def outcome(together: bool) -> tuple[int, str | None, list[OutgoingEmail]]:
        with tempfile.TemporaryDirectory() as folder:
            mailer = FileMailer(Path(folder) / "outbox", SENDER)
            if together:
                sent, failure = await mailer.send_all(messages)
            else:
                sent, failure = await Mailer.send_all(mailer, messages)
            delivered = [read_eml(path) for path in mailer.sent_files()]
        return sent, None if failure is None else type(failure).__name__, delivered

    assert asyncio.run(outcome(together=True)) == asyncio.run(outcome(together=False))


async def test_an_unwritable_folder_fails_a_batch_before_its_first_message(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    sent, failure = await FileMailer(blocker, SENDER).send_all(_VALID)
    assert sent == 0
    assert isinstance(failure, Unavailable)
    assert failure.code == "mail_unavailable"
