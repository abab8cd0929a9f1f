"""The embedded mail transport: every message becomes an ``.eml`` file in a folder.

A documented stand-in, not a no-op: nothing leaves the machine, and developers open the
files with any mail client (or ``read_eml``) to see exactly what would have been sent,
verification codes included. Never point it at a shared folder in production.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from saltbitter.adapters.mail.message import message_bytes, parse_message
from saltbitter.application.ports.mail import Mailer, OutgoingEmail
from saltbitter.domain.errors import Unavailable

__all__ = ["FileMailer", "read_eml"]


class FileMailer(Mailer):
    """Writes ``<UTC time>-<random>.eml`` files, so names sort in sending order."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender
        self._last_stamp = datetime.min.replace(tzinfo=UTC)

    async def send(self, message: OutgoingEmail) -> None:
        _, failure = await self.send_all([message])
        if failure is not None:
            raise failure

    async def send_all(self, messages: Sequence[OutgoingEmail]) -> tuple[int, Exception | None]:
        """The messages built here, then written in order in one thread hop (a hop per
        message was a seventh of a burst of match emails' CPU)."""
        files: list[tuple[str, bytes]] = []
        failure: Exception | None = None
        for message in messages:
            try:
                files.append(self._file(message))
            except ValueError as refused:  # not a valid message: the ones before it go
                failure = refused
                break
        if not files:
            return 0, failure
        written, error = await asyncio.to_thread(self._write_all, files)
        if error is not None:
            return written, Unavailable(
                f"The mail folder cannot be written: {error}", code="mail_unavailable"
            )
        return written, failure

    def _file(self, message: OutgoingEmail) -> tuple[str, bytes]:
        # Strictly increasing per mailer, so even sends within one microsecond keep order.
        now = max(datetime.now(UTC), self._last_stamp + timedelta(microseconds=1))
        data = message_bytes(self.sender, message, now=now)
        self._last_stamp = now
        return f"{now:%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(4)}.eml", data

    def _write_all(self, files: Sequence[tuple[str, bytes]]) -> tuple[int, OSError | None]:
        for written, (name, data) in enumerate(files):
            try:
                self._write(name, data)
            except OSError as error:
                return written, error
        return len(files), None

    def sent_files(self) -> list[Path]:
        """Every delivered message file, oldest first."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.eml"))

    def _write(self, name: str, data: bytes) -> None:
        # Write to a hidden temporary file, then rename: readers never see half a message.
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".eml.tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, self.folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def read_eml(path: Path) -> OutgoingEmail:
    """Parse one ``.eml`` file back into the message that was sent."""
    return parse_message(path.read_bytes())
