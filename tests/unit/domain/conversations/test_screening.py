"""The rule-based screening stand-in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saltbitter.domain.conversations import ModerationDecision, screen_text


@pytest.mark.parametrize(
    ("text", "decision", "reason"),
    [
        ("Hi! Fancy a coffee on Sunday?", ModerationDecision.ALLOW, None),
        ("Could you buy me some gift cards?", ModerationDecision.HOLD, "scam_pattern"),
        ("Send me money via Western Union", ModerationDecision.HOLD, "scam_pattern"),
        ("tip me at paypal.me/robin", ModerationDecision.HOLD, "payment_link"),
        ("Text me on WhatsApp", ModerationDecision.WARN, "contact_details"),
        ("my number is +49 170 1234567", ModerationDecision.WARN, "contact_details"),
        ("write to robin@example.org", ModerationDecision.WARN, "contact_details"),
        ("you are a SLUT", ModerationDecision.BLOCK, "abusive_language"),
        ("just kill yourself", ModerationDecision.BLOCK, "abusive_language"),
    ],
)
def test_rules(text: str, decision: ModerationDecision, reason: str | None) -> None:
    screening = screen_text(text)
    assert screening.decision is decision
    if reason is not None:
        assert reason in screening.reasons


def test_the_strictest_rule_wins() -> None:
    screening = screen_text("slut, pay at paypal.me/x or whatsapp me")
    assert screening.decision is ModerationDecision.BLOCK
    assert set(screening.reasons) == {"abusive_language", "payment_link", "contact_details"}


@given(st.text(alphabet=st.characters(categories=["Ll", "Lu", "Zs"]), max_size=200))
def test_plain_words_without_a_listed_term_are_never_held_or_blocked(text: str) -> None:
    screening = screen_text(text, blocklist=frozenset())
    assert screening.decision in {ModerationDecision.ALLOW, ModerationDecision.WARN} or (
        "scam_pattern" in screening.reasons
    )
