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
        # Strictly increasing per mailer, so even sends within one microsecond keep order.
        now = max(datetime.now(UTC), self._last_stamp + timedelta(microseconds=1))
        self._last_stamp = now
        data = message_bytes(self.sender, message, now=now)
        name = f"{now:%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(4)}.eml"
        try:
            await asyncio.to_thread(self._write, name, data)
        except OSError as error:
            raise Unavailable(
                f"The mail folder cannot be written: {error}", code="mail_unavailable"
            ) from error

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
