"""With the extras installed, the console script is simply the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from saltbitter.entrypoints.console import main


def test_with_the_extras_the_script_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "saltbitter.entrypoints.console", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout


def test_a_missing_module_of_our_own_is_a_bug_and_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # None in sys.modules makes the import fail with ModuleNotFoundError, as a typo would.
    monkeypatch.setitem(sys.modules, "saltbitter.entrypoints.cli", None)
    with pytest.raises(ModuleNotFoundError):
        main()
