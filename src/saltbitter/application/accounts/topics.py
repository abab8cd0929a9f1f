"""Job names of the accounts capability (events are in ``events.py``)."""

from __future__ import annotations

from typing import Final

SEND_VERIFICATION_CODE: Final = "accounts.send_verification_code"
SEND_PASSWORD_RESET_CODE: Final = "accounts.send_password_reset_code"
SEND_REGISTRATION_NOTICE: Final = "accounts.send_registration_notice"
PURGE_UNVERIFIED: Final = "accounts.purge_unverified"
QUEUE_ERASURE_REMINDERS: Final = "accounts.queue_erasure_reminders"
SEND_ERASURE_REMINDER: Final = "accounts.send_erasure_reminder"
