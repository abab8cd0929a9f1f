"""Personal data of the conversations capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.conversations.events import MessageHeld, MessageSent
from saltbitter.application.ports.privacy import (
    BlobPrefix,
    BlobStore,
    Erasure,
    PairedIn,
    PersonalData,
    PersonalTable,
)
from saltbitter.domain.conversations import ModerationDecision

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="conversations",
    tables=(
        PersonalTable(
            "messages",
            ("sender_id", "recipient_id"),
            Erasure.ANONYMISE,
            "Messages the member sent and received are exported. Erasure keeps the other "
            "member's history (ADR 0035): a delivered message the member sent stays as "
            "from a deleted member, without its body or picture (the member's own words "
            "go, the picture's key is reported); one they received stays the other "
            "member's, with the recipient cleared. Held and blocked messages go (a report "
            "keeps its own copy), and so does every message between two members with a "
            "block between them; so does a message left naming nobody, and every message "
            "of a closed match goes with it (its foreign key cascades).",
            blob_key_column="attachment_key",
            # Only what the other member could see stays (held and blocked go).
            kept_if={
                "moderation_decision": tuple(d.value for d in ModerationDecision if d.delivers)
            },
            cleared_with={
                "sender_id": {
                    "body": "",
                    "moderation_reasons": "",
                    "attachment_key": None,
                    "attachment_type": None,
                }
            },
            # A blocked conversation's history was hidden from both: it goes (with the
            # pictures' keys reported), as its match does.
            dropped_if_paired_in=(
                PairedIn("blocks", ("blocker_id", "blocked_id"), ("sender_id", "recipient_id")),
            ),
            deleted_when_unnamed=("sender_id", "recipient_id"),
        ),
    ),
    # Pictures of photo messages live under the sender's folder (profiles' "{member}/"
    # prefix covers the sender); the sender's erasure also reports the rows' keys. The
    # recipient's erasure keeps the picture: it is the sender's.
    blob_prefixes=(BlobPrefix("{member}/messages/", BlobStore.PHOTOS),),
    payloads={
        MessageSent.name: ("sender_id", "recipient_id"),
        MessageHeld.name: ("sender_id", "recipient_id"),
    },
)
