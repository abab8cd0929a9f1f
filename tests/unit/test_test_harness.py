"""The test harness itself: where log lines go and how large hypothesis budgets are."""

from __future__ import annotations

import logging
import warnings

import pytest
import structlog

from saltbitter.entrypoints.logging import configure_logging
from support.hypothesis_budget import THOROUGH, budget
from support.logs import isolated_logging


def test_structlog_events_reach_pytests_log_capture(caplog: pytest.LogCaptureFixture) -> None:
    # Written to a stream instead, they would interleave with pytest's progress output.
    structlog.get_logger("saltbitter.probe").info("probe.event", answer=42)
    [record] = [r for r in caplog.records if r.name == "saltbitter.probe"]
    assert '"event": "probe.event"' in record.getMessage()
    assert '"answer": 42' in record.getMessage()


def test_the_applications_logging_setup_is_undone_after_a_test() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    config = structlog.get_config()
    with isolated_logging():
        configure_logging("DEBUG", json=True)
        assert root.level == logging.DEBUG
        assert structlog.get_config()["cache_logger_on_first_use"] is True
    assert not [h for h in root.handlers if h not in before]
    assert root.level != logging.DEBUG
    assert structlog.get_config() == config
    assert logging.getLogger("uvicorn.access").disabled is False


def test_warnings_are_errors() -> None:
    with pytest.raises(UserWarning):
        warnings.warn("any warning fails a test", UserWarning, stacklevel=1)


@pytest.mark.skipif(THOROUGH, reason="the thorough profile runs full budgets")
@pytest.mark.parametrize(("full", "everyday"), [(15, 10), (40, 10), (100, 20), (400, 80)])
def test_expensive_properties_get_a_fifth_of_their_budget_every_day(
    full: int, everyday: int
) -> None:
    assert budget(full) == everyday
