"""Event topics of the accounts capability and the jobs they trigger."""

from __future__ import annotations

from typing import Final

VERIFICATION_REQUESTED: Final = "accounts.verification_requested"
PASSWORD_RESET_REQUESTED: Final = "accounts.password_reset_requested"
# Someone signed up with an address that already has an account: tell its owner.
REGISTRATION_ATTEMPTED: Final = "accounts.registration_attempted"

SEND_VERIFICATION_CODE: Final = "accounts.send_verification_code"
SEND_PASSWORD_RESET_CODE: Final = "accounts.send_password_reset_code"
SEND_REGISTRATION_NOTICE: Final = "accounts.send_registration_notice"
