"""The local, rule-based message moderation stand-in (the embedded default).

What it does and no more: a blocklist of slurs and abuse (block), scam phrases and
payment links (hold for review), and e-mail addresses, phone numbers and messenger
names (deliver, and nudge the sender). It does not understand context, sarcasm or
languages other than the patterns it lists; OpenAI's moderation plugs in behind the same
``MessageModerator`` port for that.
"""

from __future__ import annotations

from saltbitter.application.ports.conversations import MessageModerator
from saltbitter.domain.conversations import DEFAULT_BLOCKLIST, Screening, screen_text

__all__ = ["RuleBasedMessageModerator"]


class RuleBasedMessageModerator(MessageModerator):
    __slots__ = ("_blocklist",)

    def __init__(self, blocklist: frozenset[str] = DEFAULT_BLOCKLIST) -> None:
        self._blocklist = blocklist

    async def screen(self, text: str) -> Screening:
        return screen_text(text, self._blocklist)
