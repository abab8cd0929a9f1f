"""docs/entitlements.md stays true: its table is the catalog's entitlements, row by row."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from saltbitter.domain.shared import Tier
from saltbitter.domain.subscriptions import Entitlements, entitlements_for

DOC = Path(__file__).resolve().parents[3] / "docs" / "entitlements.md"


def _cell(value: int | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[1].startswith("`") and cells[1].endswith("`"):
            rows[cells[1].strip("`")] = cells[2:5]
    return rows


def test_the_table_is_the_catalog() -> None:
    rows = _rows()
    assert set(rows) == {spec.name for spec in fields(Entitlements)}
    for name, cells in rows.items():
        assert cells == [_cell(getattr(entitlements_for(tier), name)) for tier in Tier], name
