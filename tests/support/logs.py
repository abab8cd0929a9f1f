"""Logs in tests go through the logging module, so pytest captures them.

The application's structlog configuration (``configure_logging``) writes JSON lines to
the ``sys.stderr`` of the moment it runs. In a test session that stream is pytest's
capture of one test, or the terminal between tests: the lines of session-wide servers and
in-process jobs then land in the middle of pytest's progress output. Tests therefore
send structlog events to the logging module, where pytest's log capture collects them
per test (shown with a failing test's report), and every test that runs
``configure_logging`` itself (the CLI does) gets the previous setup back afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

__all__ = ["configure_test_logging", "isolated_logging"]


def configure_test_logging() -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: a logger bound during one test must not keep another's setup.
        cache_logger_on_first_use=False,
    )


@contextmanager
def isolated_logging() -> Iterator[None]:
    """Undo what ``configure_logging`` changes: its root handler, levels and structlog."""
    root = logging.getLogger()
    level = root.level
    access = logging.getLogger("uvicorn.access")
    access_disabled = access.disabled
    config = structlog.get_config()
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
                root.removeHandler(handler)
        root.setLevel(level)
        access.disabled = access_disabled
        structlog.configure(**config)
