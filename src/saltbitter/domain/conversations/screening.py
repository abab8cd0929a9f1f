"""The local rule-based screening of message text (the moderation port's stand-in).

Honest and small: a word blocklist, scam phrases, payment links and contact details.
It never claims to understand a message; it catches the patterns that hurt members most
often on dating platforms (money requests, moving the talk off-platform early).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from saltbitter.domain.conversations.messages import ModerationDecision

__all__ = ["DEFAULT_BLOCKLIST", "Screening", "screen_text"]

DEFAULT_BLOCKLIST: frozenset[str] = frozenset(
    {"whore", "slut", "faggot", "retard", "kill yourself", "kys"}
)

_SCAM = re.compile(
    r"\b(gift ?cards?|wire (me|the) money|western union|moneygram|send (me )?money|"
    r"crypto ?(investment|trading)|bitcoin wallet|investment opportunit(y|ies)|"
    r"(i|we) need money for|pay for my (ticket|flight|visa))\b",
    re.IGNORECASE,
)
_PAYMENT_LINK = re.compile(
    r"(paypal\.me/|cash\.app/|venmo\.com/|revolut\.me/|buymeacoffee\.com/|"
    r"ko-fi\.com/|patreon\.com/|onlyfans\.com/|\$[a-z][a-z0-9_]{2,}\b)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\d)(\+?\d[\d ().-]{7,}\d)(?!\d)")
_HANDLE = re.compile(
    r"\b(whats ?app|telegram|signal|snap(chat)?|insta(gram)?|kik|wechat)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Screening:
    decision: ModerationDecision
    reasons: tuple[str, ...] = ()


def _normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


def screen_text(text: str, blocklist: frozenset[str] = DEFAULT_BLOCKLIST) -> Screening:
    """Block slurs and abuse, hold scams and payment links, warn about contact details."""
    normal = _normalised(text)
    words = set(re.findall(r"[\w']+", normal))
    found: list[tuple[ModerationDecision, str]] = []
    if any((term in words) if " " not in term else (term in normal) for term in blocklist):
        found.append((ModerationDecision.BLOCK, "abusive_language"))
    if _SCAM.search(normal):
        found.append((ModerationDecision.HOLD, "scam_pattern"))
    if _PAYMENT_LINK.search(normal):
        found.append((ModerationDecision.HOLD, "payment_link"))
    if _EMAIL.search(normal) or _PHONE.search(normal) or _HANDLE.search(normal):
        found.append((ModerationDecision.WARN, "contact_details"))
    if not found:
        return Screening(ModerationDecision.ALLOW)
    decision = max((decision for decision, _ in found), key=lambda d: d.severity)
    return Screening(decision, tuple(reason for _, reason in found))
