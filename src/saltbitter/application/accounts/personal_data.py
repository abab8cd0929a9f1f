"""Personal data of the accounts capability (ADR 0018)."""

from __future__ import annotations

from saltbitter.application.accounts.events import (
    AccountVisibilityChanged,
    ErasureReminderDue,
    PasswordResetRequested,
    RegistrationAttempted,
    VerificationRequested,
)
from saltbitter.application.ports.privacy import (
    Erasure,
    PersonalData,
    PersonalTable,
    ReachedThrough,
)

__all__ = ["PERSONAL_DATA"]

PERSONAL_DATA = PersonalData(
    capability="accounts",
    # Erased in this order: refresh tokens before the sessions they hang on, users last.
    tables=(
        PersonalTable(
            "refresh_tokens",
            (),
            Erasure.DELETE,
            "Credentials of the member's sessions, useless and risky once they are gone.",
            withheld=("token_hash",),
            reached_through=ReachedThrough("session_id", "sessions"),
        ),
        PersonalTable(
            "sessions",
            ("user_id",),
            Erasure.DELETE,
            "Sign-ins serve the member only; an erased member has no one to sign in.",
        ),
        PersonalTable(
            "one_time_codes",
            ("user_id",),
            Erasure.DELETE,
            "Short-lived verification and reset codes of the member's own account.",
            withheld=("code_hash",),
        ),
        PersonalTable(
            "consents",
            ("user_id",),
            Erasure.DELETE,
            "The ledger proves consent for processing that erasure ends; kept without "
            "the member it would prove nothing, so it goes with the account.",
        ),
        # Last: every other table refers to users.
        PersonalTable(
            "users",
            ("id",),
            Erasure.DELETE,
            "The account itself. No payment records exist yet; when they do, they keep "
            "an anonymised reference instead of this row.",
            withheld=("password_hash",),
        ),
    ),
    # The principal stamp every API process reads (ADR 0032): it names the member until
    # it expires, so erasure deletes it.
    cache_keys=("principal:{member}",),
    payloads={
        VerificationRequested.name: ("user_id",),
        PasswordResetRequested.name: ("user_id",),
        RegistrationAttempted.name: ("user_id",),
        AccountVisibilityChanged.name: ("user_id",),
        ErasureReminderDue.name: ("user_id",),
    },
)
