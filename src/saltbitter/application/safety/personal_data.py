"""Personal data of the safety capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.ports.privacy import Erasure, PersonalData, PersonalTable
from saltbitter.application.safety import topics
from saltbitter.application.safety.events import (
    MemberBanned,
    MemberBlocked,
    MemberReported,
    MemberSuspended,
    MemberUnblocked,
    MemberWarned,
)

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="safety",
    tables=(
        PersonalTable(
            "appeals",
            ("member_id", "resolved_by"),
            Erasure.DELETE,
            "The member's own appeals go with them; an appeal a moderator decided means "
            "nothing once the decision's subject is gone. Listed before reports, which "
            "appeals refer to.",
            exported_by=("member_id",),
        ),
        PersonalTable(
            "check_ins",
            ("member_id",),
            Erasure.DELETE,
            "The member's dates and their trusted contact's details (which go after 7 "
            "days anyway).",
        ),
        PersonalTable(
            "blocks",
            ("blocker_id", "blocked_id"),
            Erasure.DELETE,
            "Blocks the member placed are their own; blocks others placed on them are "
            "the others' decisions (erased, not exported), meaningless without the member.",
            exported_by=("blocker_id",),
        ),
        PersonalTable(
            "reports",
            ("reporter_id", "reported_id", "resolved_by"),
            Erasure.DELETE,
            "Reports the member filed are exported; reports about them stay the "
            "reporters' (never exported, to protect who reported). Erasure deletes both: "
            "a report about someone who no longer exists cannot be acted on.",
            exported_by=("reporter_id",),
        ),
        PersonalTable(
            "held_messages",
            ("sender_id", "recipient_id", "resolved_by"),
            Erasure.DELETE,
            "Messages screening held, waiting for or decided by a moderator: the sender's "
            "(their message and the decision about it; the text itself is conversations' "
            "and exported there); erased with either member, as the message is.",
            exported_by=("sender_id",),
        ),
        PersonalTable(
            "suspensions",
            ("member_id",),
            Erasure.DELETE,
            "The member's suspension or ban ends with the account.",
        ),
        PersonalTable(
            "moderation_audit",
            ("actor_id", "subject_id"),
            Erasure.DELETE,
            "Entries about the member or by them as a moderator: the audit log proves "
            "decisions about accounts that erasure ends.",
            exported_by=("subject_id",),
        ),
    ),
    payloads={
        MemberBlocked.name: ("user_id", "blocked_id"),
        MemberUnblocked.name: ("user_id", "blocked_id"),
        MemberReported.name: ("reporter_id", "reported_id"),
        MemberWarned.name: ("user_id",),
        MemberSuspended.name: ("user_id",),
        MemberBanned.name: ("user_id",),
        topics.SEND_CHECK_IN_ALERT: (),
        topics.QUEUE_HELD_MESSAGE: ("sender_id", "recipient_id"),
    },
)
