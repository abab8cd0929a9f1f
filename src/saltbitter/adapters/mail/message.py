"""RFC 5322 messages from ``OutgoingEmail`` and back, shared by every mail transport.

The text/plain part is always present; an HTML alternative is added when given
(``multipart/alternative``). Non-ASCII headers become RFC 2047 encoded words and
non-ASCII bodies quoted-printable, so the result is 7-bit clean for any relay.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime
from email import policy
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr

from saltbitter.application.ports.mail import OutgoingEmail

__all__ = ["build_message", "parse_message"]


def _cte(text: str) -> str | None:
    # ASCII stays readable as 7bit; anything else is quoted-printable (still mostly readable).
    return None if text.isascii() else "quoted-printable"


def build_message(
    sender: str, message: OutgoingEmail, *, now: datetime | None = None
) -> EmailMessage:
    """An RFC 5322 message from ``sender`` (``"Name <address>"`` or a bare address)."""
    email = EmailMessage(policy=policy.SMTP)
    email["From"] = sender
    email["To"] = message.to
    recipients = email["To"]
    if not isinstance(recipients, AddressHeader) or len(recipients.addresses) != 1:
        raise ValueError(f"expected exactly one recipient, got {message.to!r}")
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now or datetime.now(UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email["Message-ID"] = _message_id(domain)
    email.set_content(message.text, cte=_cte(message.text))
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", cte=_cte(message.html))
        email.set_boundary(f"==============={secrets.token_hex(16)}==")
    return email


def _message_id(domain: str) -> str:
    """Unique like ``email.utils.make_msgid``'s, from the OS's randomness: the standard
    library's ids and multipart boundaries draw on the process-wide ``random`` state,
    which a mail sent while a seeded computation runs would then disturb."""
    return f"<{time.time_ns()}.{os.getpid()}.{secrets.token_hex(8)}@{domain}>"


def parse_message(data: bytes) -> OutgoingEmail:
    """Read back what a transport delivered (line endings normalised to ``\\n``)."""
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(parsed, EmailMessage):  # pragma: no cover - policy.default guarantees it
        raise TypeError("expected an EmailMessage")
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    return OutgoingEmail(
        to=str(parsed["To"]),
        subject=str(parsed["Subject"]),
        text=_content(text_part) or "",
        html=_content(html_part),
    )


def _content(part: object) -> str | None:
    if not isinstance(part, EmailMessage):
        return None
    content = part.get_content()
    if not isinstance(content, str):
        return None
    return content.replace("\r\n", "\n")
