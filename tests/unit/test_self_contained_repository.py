"""The repository stands alone: no file points readers at documents that are not in it.

Product rules and research are summarised in docs/product-rules.md and docs/science.md;
code cites their numbered sections (``docs/science.md 3.3``), and every cited section
must exist.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "var",
    "build",
    "dist",
    "__pycache__",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".terraform",
}
# Assembled from parts so that this file does not match itself.
OUTSIDE_DOCUMENTS = re.compile(
    "|".join(
        [
            re.escape("PRODUCT" + ".md"),
            re.escape("DESIGN" + ".md"),
            re.escape("domain" + "-science"),
            re.escape("../" + "shared"),
            # The word research followed by a section number cited an outside brief.
            r"\b[Rr]esearch (?:sections? )?\d",
        ]
    )
)
CITATION = re.compile(r"docs/(science|product-rules)\.md`*,? (?:sections? )?(\d+(?:\.\d+)?)")


def repository_text_files() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            yield Path(folder) / name


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def test_no_file_refers_to_documents_outside_the_repository() -> None:
    offenders = []
    for path in repository_text_files():
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_DOCUMENTS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, (
        "These lines cite documents that are not in the repository; cite "
        "docs/product-rules.md or docs/science.md and their section instead:\n"
        + "\n".join(offenders)
    )


def _sections(document: Path) -> set[str]:
    text = document.read_text(encoding="utf-8")
    numbers = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", text, flags=re.MULTILINE))
    if document.name == "science.md":
        # Key point n of section 0 is cited as 0.n.
        key_points = text.split("## 0.", 1)[1].split("\n## ", 1)[0]
        numbers |= {f"0.{n}" for n in re.findall(r"^(\d+)\. ", key_points, flags=re.MULTILINE)}
    return numbers


def test_every_cited_section_exists() -> None:
    sections = {
        "science": _sections(ROOT / "docs" / "science.md"),
        "product-rules": _sections(ROOT / "docs" / "product-rules.md"),
    }
    missing = []
    for path in repository_text_files():
        text = _text(path)
        if text is None:
            continue
        for document, section in CITATION.findall(text):
            if section not in sections[document]:
                missing.append(f"{path.relative_to(ROOT)}: docs/{document}.md {section}")
    assert not missing, "cited sections that do not exist:\n" + "\n".join(missing)
