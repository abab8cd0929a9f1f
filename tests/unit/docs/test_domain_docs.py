"""docs/domain.md stays true: its ``python`` blocks run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "domain.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_the_page_has_examples_for_both_scorings() -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    assert any("score_assessment(" in block for block in blocks)
    assert any("compatibility(" in block for block in blocks)


def test_every_python_block_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": "domain_md"}
    for number, block in enumerate(BLOCK.findall(DOC.read_text(encoding="utf-8")), start=1):
        code = compile(block, f"docs/domain.md block {number}", "exec")
        exec(code, namespace)
    assert capsys.readouterr().out.strip()  # the compatibility example prints its result
