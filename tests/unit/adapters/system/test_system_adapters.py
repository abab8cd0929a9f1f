from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from saltbitter.adapters.system import SecretsGenerator, SystemClock, UuidIdGenerator


def test_the_clock_is_aware_utc_and_current() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)
    assert now.tzinfo is UTC
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after


def test_ids_are_distinct_version_4_uuids() -> None:
    generator = UuidIdGenerator()
    ids = [generator.new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert {identifier.version for identifier in ids} == {4}


def test_one_time_codes_are_six_digits_with_leading_zeros_kept() -> None:
    generator = SecretsGenerator()
    codes = [generator.one_time_code() for _ in range(2000)]
    assert all(re.fullmatch(r"[0-9]{6}", code) for code in codes)
    assert len(set(codes)) > 1900
    # 2000 draws: a leading zero (10% chance each) is all but certain.
    assert any(code.startswith("0") for code in codes)


def test_opaque_tokens_are_url_safe_with_256_bits() -> None:
    generator = SecretsGenerator()
    tokens = [generator.opaque_token() for _ in range(100)]
    assert len(set(tokens)) == 100
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)
