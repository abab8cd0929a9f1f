"""The export archive: one ZIP with a JSON file per capability, the member's photo
files and a README.md that says what each file holds."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from saltbitter.application.ports.privacy import MemberExport, PersonalData

__all__ = ["ArchiveFile", "build_archive", "readme"]


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """A blob of the member's (a photo) and the table row that names it."""

    path: str
    data: bytes
    source: str


def _json_name(capability: str) -> str:
    return f"{capability}.json"


def readme(
    declarations: Mapping[str, PersonalData],
    exported: Mapping[str, MemberExport],
    files: list[ArchiveFile],
    member: str,
    generated_at: datetime,
) -> str:
    lines = [
        "# Your SaltBitter data",
        "",
        f"Member id: {member}. Made on {generated_at:%Y-%m-%d %H:%M} UTC.",
        "",
        "This archive holds everything SaltBitter keeps about you (GDPR Articles 15 and "
        "20), as JSON any program can read. Each `<area>.json` maps a table name to "
        "your rows in that table; ids and times are strings (times in UTC, ISO 8601). "
        "Secrets such as password hashes are left out. Rows about you that belong to "
        "another member (for example their decision to pass on you) are not included.",
        "",
        "## Files",
        "",
    ]
    for capability, tables in exported.items():
        rows = sum(len(found) for found in tables.values())
        lines.append(f"### {_json_name(capability)}")
        lines.append("")
        lines.append(f"The {capability} area: {rows} row(s).")
        lines.append("")
        declaration = declarations.get(capability)
        for table, found in tables.items():
            why = "" if declaration is None else declaration.table(table).why
            lines.append(f"- `{table}` ({len(found)} row(s)): {why}".rstrip(": "))
        lines.append("")
    if files:
        lines.append("### photos/")
        lines.append("")
        lines.append("Your photo files as stored, named after the row that lists them:")
        lines.append("")
        lines.extend(f"- `{item.path}`: from {item.source}" for item in files)
        lines.append("")
    lines.append("### README.md")
    lines.append("")
    lines.append("This description.")
    lines.append("")
    return "\n".join(lines)


def build_archive(
    declarations: Mapping[str, PersonalData],
    exported: Mapping[str, MemberExport],
    files: list[ArchiveFile],
    member: str,
    generated_at: datetime,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", readme(declarations, exported, files, member, generated_at))
        for capability, tables in exported.items():
            document = {"capability": capability, "member_id": member, "tables": tables}
            archive.writestr(
                _json_name(capability),
                json.dumps(document, indent=2, ensure_ascii=False, default=str),
            )
        for item in files:
            archive.writestr(item.path, item.data)
    return buffer.getvalue()


def photo_path(key: str) -> str:
    """Where a blob named ``key`` goes in the archive (its file name under photos/)."""
    return f"photos/{PurePosixPath(key).name}"
