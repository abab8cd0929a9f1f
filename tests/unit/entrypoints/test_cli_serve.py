"""``saltbitter serve`` on a port that is taken fails at once, in one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def test_serve_on_a_busy_port_fails_in_one_line_before_starting_anything(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "SALTBITTER_DATA_DIR": str(tmp_path), "SALTBITTER_LOG_JSON": "0"}
        env.pop("SALTBITTER_DATABASE_URL", None)
        env.pop("SALTBITTER_REDIS_URL", None)
        result = subprocess.run(
            [sys.executable, "-m", "saltbitter.entrypoints.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    assert result.returncode != 0
    assert result.stdout == ""  # no "serving on ..." banner
    [line] = result.stderr.splitlines()
    assert f"127.0.0.1:{port}" in line
    assert "in use" in line
    assert list(tmp_path.iterdir()) == []  # no startup ran: not even the database exists


def test_uvicorn_serves_websockets_without_compression_unless_asked(tmp_path: Path) -> None:
    import uvicorn

    from saltbitter.entrypoints.cli import uvicorn_options
    from saltbitter.entrypoints.settings import Settings

    default = uvicorn_options(Settings(data_dir=tmp_path), "127.0.0.1", 8000, 2)
    asked = uvicorn_options(
        Settings(data_dir=tmp_path, ws_per_message_deflate=True), "127.0.0.1", 8000, 2
    )
    assert default["ws_per_message_deflate"] is False
    assert asked["ws_per_message_deflate"] is True
    # Every option is one uvicorn takes.
    assert uvicorn.Config(**default).ws_per_message_deflate is False
