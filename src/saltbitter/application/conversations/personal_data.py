"""Personal data of the conversations capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.conversations.events import MessageHeld, MessageSent
from saltbitter.application.ports.privacy import Erasure, PersonalData, PersonalTable

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="conversations",
    tables=(
        PersonalTable(
            "messages",
            ("sender_id", "recipient_id"),
            Erasure.DELETE,
            "Messages the member sent and received are exported; erasure deletes both, "
            "as the match they belong to goes with the member (its foreign key cascades). "
            "Held and blocked messages go too: a report keeps its own copy. A photo "
            "message's picture is in the photo blob store: erasure reports its key "
            "(either member's erasure deletes the message, so its picture goes too).",
            blob_key_column="attachment_key",
        ),
    ),
    # Pictures of photo messages live under the sender's folder (profiles' "{member}/"
    # prefix covers the sender); the recipient's erasure reaches them through the
    # rows' attachment_key.
    blob_prefixes=("{member}/messages/",),
    payloads={
        MessageSent.name: ("sender_id", "recipient_id"),
        MessageHeld.name: ("sender_id", "recipient_id"),
    },
)
