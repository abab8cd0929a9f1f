"""Job names of the safety capability (events are in ``events.py``)."""

from __future__ import annotations

from typing import Final

SEND_CHECK_IN_ALERT: Final = "safety.send_check_in_alert"
"""On CheckInOverdue or PanicRaised: email the check-in's trusted contact."""
SWEEP_OVERDUE_CHECK_INS: Final = "safety.sweep_overdue_check_ins"
"""Beat, every minute: claim check-ins past their time without an ok."""
FORGET_CHECK_IN_CONTACTS: Final = "safety.forget_check_in_contacts"
"""Beat, hourly: delete contact details 7 days after the check-in time."""
LIFT_EXPIRED_SUSPENSIONS: Final = "safety.lift_expired_suspensions"
"""Beat, every minute: end suspensions whose time has passed."""
QUEUE_HELD_MESSAGE: Final = "safety.queue_held_message"
"""On conversations' MessageHeld: put the message in the review queue (once)."""
