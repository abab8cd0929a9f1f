from __future__ import annotations

import pytest

from saltbitter.testing.harness_assessments import AssessmentsHarness


@pytest.fixture
def members() -> AssessmentsHarness:
    return AssessmentsHarness()
