"""RFC 5322 messages from ``OutgoingEmail`` and back, shared by every mail transport.

The text/plain part is always present; an HTML alternative is added when given
(``multipart/alternative``). Non-ASCII headers become RFC 2047 encoded words and
non-ASCII bodies quoted-printable, so the result is 7-bit clean for any relay.
"""

from __future__ import annotations

import binascii
import os
import re
import secrets
import time
from datetime import UTC, datetime
from email import policy, quoprimime
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr
from functools import lru_cache

from saltbitter.application.ports.mail import OutgoingEmail

__all__ = ["build_message", "message_bytes", "parse_message"]


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


_SMTP = policy.SMTP
_MAX_LINE = _SMTP.max_line_length or 78
# Addresses and Message-ID domains whose header the registry renders as they are given.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def message_bytes(sender: str, message: OutgoingEmail, *, now: datetime | None = None) -> bytes:
    """``build_message(sender, message, now=now).as_bytes()``, the same bytes but a fresh
    Message-ID, at a fraction of the cost for the usual email: text only, to a plain
    address. The header registry parses and refolds every header it is given (it was
    about a sixth of a new match's jobs); here the sender and subject lines are folded by
    it once and kept, the other headers are written directly where their rendering is
    known to be the text itself, and the body is encoded as ``set_content`` encodes it.
    Anything else (an HTML part, a display name in ``To``, a long line to fold, a body
    that ``set_content`` would send as base64) goes through :func:`build_message`."""
    sent = now or datetime.now(UTC)
    fast = None
    if message.html is None and _PLAIN_ADDRESS.fullmatch(message.to):
        fast = _text_message(sender, message, sent)
    return fast if fast is not None else build_message(sender, message, now=sent).as_bytes()


def _text_message(sender: str, message: OutgoingEmail, now: datetime) -> bytes | None:
    body = _text_body(message.text)
    if body is None:
        return None
    from_line, domain = _sender_header(sender)
    if domain is None:
        return None
    lines = (
        f"To: {message.to}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: {_message_id(domain)}",
    )
    if any(len(line) > _MAX_LINE for line in lines):
        return None
    cte, payload = body
    return b"".join(
        (
            from_line,
            f"{lines[0]}\r\n".encode("ascii"),
            _subject_header(message.subject),
            f"{lines[1]}\r\n{lines[2]}\r\n".encode("ascii"),
            b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: ',
            cte,
            b"\r\nMIME-Version: 1.0\r\n\r\n",
            payload,
        )
    )


@lru_cache(maxsize=16)
def _sender_header(sender: str) -> tuple[bytes, str | None]:
    """The folded ``From`` line and the Message-ID domain (None: not a plain one)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return _folded("From", sender), domain if _PLAIN_DOMAIN.fullmatch(domain) else None


@lru_cache(maxsize=256)
def _subject_header(subject: str) -> bytes:
    # Subjects come from a few templates: each is parsed and folded once.
    return _folded("Subject", subject)


def _folded(name: str, value: str) -> bytes:
    return _SMTP.fold_binary(*_SMTP.header_store_parse(name, value))


def _text_body(text: str) -> tuple[bytes, bytes] | None:
    """(Content-Transfer-Encoding, body with CRLF) as ``set_content`` makes them with
    ``_cte(text)`` and the SMTP policy; None when it would choose base64."""
    lines = text.encode("utf-8").splitlines() or [b""]
    if text.isascii():
        if max((len(line) for line in lines), default=0) <= _MAX_LINE:
            return b"7bit", b"".join(line + b"\r\n" for line in lines)
        # set_content's heuristic: quoted-printable unless base64 is shorter.
        sniff = b"".join(line + b"\r\n" for line in lines[:10])
        sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), _MAX_LINE)
        if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
            return None
        if len(lines) <= 10:
            return b"quoted-printable", _crlf(sniff_qp)
    normal = b"".join(line + b"\n" for line in lines)
    return b"quoted-printable", _crlf(quoprimime.body_encode(normal.decode("latin-1"), _MAX_LINE))


def _crlf(encoded: str) -> bytes:
    # What the generator writes: each line of the payload ended by the policy's CRLF.
    return b"".join(line.encode("ascii") + b"\r\n" for line in encoded.splitlines())


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
