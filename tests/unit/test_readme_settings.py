"""The README documents every setting, so nobody has to read settings.py to run us."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from saltbitter.entrypoints.settings import PREFIX, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def settings_table() -> str:
    """The README's table of settings: the table lines that name a setting."""
    lines = README.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.startswith("|") and PREFIX in line)


def test_every_setting_appears_in_the_readmes_settings_table() -> None:
    table = settings_table()
    documented = set(re.findall(rf"`({PREFIX}[A-Z0-9_]+)`", table))
    expected = {PREFIX + setting.name.upper() for setting in fields(Settings)}
    assert not expected - documented, f"undocumented settings: {sorted(expected - documented)}"
    assert not documented - expected, f"the README names unknown settings: {documented - expected}"


def test_the_readme_documents_the_port_and_host_of_make_run() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make run PORT=" in text
    assert "make run HOST=" in text
