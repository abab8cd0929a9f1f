"""Message moderation adapters: the local rules (embedded default) and OpenAI's."""

from __future__ import annotations

from saltbitter.adapters.moderation.rules import RuleBasedMessageModerator

__all__ = ["RuleBasedMessageModerator"]
