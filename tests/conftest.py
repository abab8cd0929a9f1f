"""Settings shared by the unit and integration tests: hypothesis profiles and logging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from support.hypothesis_budget import PROFILE
from support.logs import configure_test_logging, isolated_logging

# The thorough profile (SALTBITTER_HYPOTHESIS_PROFILE=thorough) raises the default budget
# and gives expensive properties their full one (support.hypothesis_budget).
settings.register_profile("thorough", max_examples=500)
settings.load_profile(PROFILE)


def pytest_configure(config: pytest.Config) -> None:
    configure_test_logging()


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    with isolated_logging():
        yield
