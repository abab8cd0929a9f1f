"""Settings shared by the unit and integration tests: hypothesis profiles, logging, temp root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from support.hypothesis_budget import EVERYDAY_EXAMPLES, PROFILE, THOROUGH_EXAMPLES
from support.logs import configure_test_logging, isolated_logging
from support.temp_root import prefer_a_temp_root_in_memory

# Everyday runs (make unit, make test, CI) try 50 examples per property, half hypothesis's
# own default: every run draws new ones (and replays any that failed there before), so
# the laws are still checked from many sides over a day of runs. The thorough profile
# (SALTBITTER_HYPOTHESIS_PROFILE=thorough, nightly or before a release) tries 500 and
# gives expensive properties their full budget (support.hypothesis_budget).
# No per-example deadline in either: speed is measured in benchmarks, never asserted in a
# test, and on this shared machine a busy neighbour made examples miss the 200 ms default.
settings.register_profile("default", max_examples=EVERYDAY_EXAMPLES, deadline=None)
settings.register_profile("thorough", max_examples=THOROUGH_EXAMPLES, deadline=None)
settings.load_profile(PROFILE)


def pytest_configure(config: pytest.Config) -> None:
    configure_test_logging()
    prefer_a_temp_root_in_memory()


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    with isolated_logging():
        yield
