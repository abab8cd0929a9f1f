"""The daily job's COPY lines (PostgreSQL) say what they said before msgspec wrote their
numbers and ids: the same bytes, but for the total's notation (msgspec writes 1e-05 as
0.00001; both are the shortest text of the same double, so the same ``float8`` is
stored). The PostgreSQL contract ``test_stored_entries_keep_every_character_and_digit``
checks the round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from saltbitter.adapters.sqlalchemy.matching.daily_sets import _copy_lines
from saltbitter.application.ports.matching import DailySet, DailySetEntry
from saltbitter.domain.compatibility import ComponentScores
from saltbitter.domain.shared import UserId

_JSON = msgspec.json.Encoder()
_T0 = datetime(2026, 3, 2, 6, tzinfo=UTC)


def _reference_lines(stored: list[DailySet]) -> list[bytes]:
    """The lines as the adapter formatted them before (``repr`` and ``str``)."""
    lines: list[bytes] = []
    for daily in stored:
        head = f"{daily.user_id}\t{daily.local_date.isoformat()}\t".encode()
        for position, entry in enumerate(daily.entries):
            c = entry.components
            components = _JSON.encode(
                {
                    "attachment": c.attachment,
                    "interests": c.interests,
                    "values": c.values,
                    "demographics": c.demographics,
                }
            ).replace(b"\\", b"\\\\")
            reasons = _JSON.encode(entry.reasons).replace(b"\\", b"\\\\")
            lines.append(
                head
                + f"{position}\t{entry.candidate_id}\t{entry.total!r}\t".encode()
                + components
                + b"\t"
                + reasons
                + b"\n"
            )
    return lines


def _fields(lines: list[bytes]) -> list[list[bytes | float]]:
    """Each line's fields, the total (the fifth) as the double it stores."""
    parsed: list[list[bytes | float]] = []
    for line in lines:
        assert line.endswith(b"\n")
        fields: list[bytes | float] = list(line[:-1].split(b"\t"))
        total = fields[4]
        assert isinstance(total, bytes)
        fields[4] = float(total)
        parsed.append(fields)
    return parsed


_unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
_entries = st.builds(
    DailySetEntry,
    candidate_id=st.uuids().map(UserId),
    total=_unit,
    components=st.builds(ComponentScores, _unit, _unit, _unit, _unit),
    reasons=st.lists(st.text(), max_size=3).map(tuple),
)


@settings(max_examples=200)
@given(
    st.lists(
        st.builds(
            DailySet,
            user_id=st.uuids().map(UserId),
            local_date=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
            entries=st.lists(_entries, max_size=5).map(tuple),
            created_at=st.just(_T0),
        ),
        max_size=4,
    )
)
def test_copy_lines_are_the_reference_formatting(stored: list[DailySet]) -> None:
    assert _fields(_copy_lines(stored)) == _fields(_reference_lines(stored))


def test_long_sets_and_awkward_values_are_formatted_as_before() -> None:
    entries = tuple(
        DailySetEntry(
            candidate_id=UserId(UUID(int=number)),
            total=[1e-300, 0.1 + 0.2, 1.0, 0.0, 5e-324][number % 5],
            components=ComponentScores(1 / 3, 2 / 3, 1e-05, 1e-300),
            reasons=('back\\slash "quoted" \\N', "zoë ☕", ""),
        )
        for number in range(70)  # positions past the precomputed ones
    )
    stored = [DailySet(UserId(UUID(int=7)), date(2026, 3, 2), entries, _T0)]
    assert _fields(_copy_lines(stored)) == _fields(_reference_lines(stored))
