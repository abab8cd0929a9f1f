"""Personal data of the matching capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.matching import topics
from saltbitter.application.matching.events import DailySetReady, MatchCreated, Unmatched
from saltbitter.application.ports.privacy import Erasure, PairedIn, PersonalData, PersonalTable

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="matching",
    tables=(
        PersonalTable(
            "swipes",
            ("actor_id", "target_id"),
            Erasure.DELETE,
            "Both directions go: the member's own likes and passes, and others' swipes "
            "on a member who no longer exists. Received passes are not exported: whom "
            "someone passed on is that member's private decision.",
            export_only_if={"target_id": ("decision", "like")},
        ),
        PersonalTable(
            "matches",
            ("user_low", "user_high", "unmatched_by"),
            Erasure.ANONYMISE,
            "A match is shared: an open one stays with the member's side cleared, so the "
            "other member keeps reading the conversation's history, shown with a deleted "
            "member (ADR 0035); it is closed for good. A closed (unmatched) match goes, "
            "as its history is hidden from both anyway, and so does one with a block "
            "between the two; so does a match naming nobody.",
            kept_if={"unmatched_at": (None,)},
            # A blocked conversation's history was hidden from both: it stays hidden.
            dropped_if_paired_in=(
                PairedIn("blocks", ("blocker_id", "blocked_id"), ("user_low", "user_high")),
            ),
            deleted_when_unnamed=("user_low", "user_high"),
        ),
        PersonalTable(
            "daily_set_runs",
            ("user_id",),
            Erasure.DELETE,
            "The member's own daily sets; derived data the daily job can rebuild.",
        ),
        PersonalTable(
            "daily_set_entries",
            ("user_id", "candidate_id"),
            Erasure.DELETE,
            "The member's own sets go; so do their places in others' sets (those rows "
            "are the other member's data, so they are not exported).",
            exported_by=("user_id",),
        ),
        PersonalTable(
            "discover_allotments",
            ("user_id", "candidate_id"),
            Erasure.DELETE,
            "Counters of the member's daily allowance, and their places in others'.",
            exported_by=("user_id",),
        ),
    ),
    cache_keys=(
        "matching:daily:{member}",
        "matching:daily-version:{member}",
        "matching:discover:{member}",
        "matching:member:{member}",  # the discovery marker (ADR 0048)
    ),
    payloads={
        MatchCreated.name: ("user_a", "user_b"),
        Unmatched.name: ("user_a", "user_b", "by"),
        DailySetReady.name: ("user_id",),
        topics.FORGET_MEMBER_CACHES: ("user_id",),
    },
)
