"""Job names of members' privacy rights (events are in ``events.py``)."""

from __future__ import annotations

from typing import Final

BUILD_DATA_EXPORT: Final = "privacy.build_data_export"
"""On DataExportRequested: build the ZIP archive and store it."""
SEND_DATA_EXPORT_READY: Final = "privacy.send_data_export_ready"
"""On DataExportReady: email the member that the archive is ready."""
SEND_BREACH_NOTICE: Final = "privacy.send_breach_notice"
"""On BreachNoticeDue: email the member about the breach."""
