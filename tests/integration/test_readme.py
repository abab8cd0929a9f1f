"""The README's walkthrough runs as written against a fresh ``make run`` server.

Every ```bash block preceded by ``<!-- readme-test -->`` is part of the walkthrough. The
test does what ``make run`` does (migrate, seed the demo community, serve) in an empty
folder with no ``SALTBITTER_*`` variables set, then runs the blocks in one bash session
from that folder, so ``var/mail`` and ``.venv`` mean what they mean in a checkout. Only
the port differs: the server listens on a free one instead of 8000.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MARKER = "<!-- readme-test -->"
BLOCK = re.compile(re.escape(MARKER) + r"\s*```bash\n(.*?)```", re.DOTALL)
BIN = Path(sys.executable).parent


def marked_blocks(text: str) -> list[str]:
    return BLOCK.findall(text)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _embedded_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("SALTBITTER_")}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """A folder laid out like a checkout after ``make run``, with the API on a free port."""
    folder = tmp_path_factory.mktemp("checkout")
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = _embedded_environment()
    saltbitter = str(BIN / "saltbitter")
    for step in (["db", "upgrade"], ["demo", "seed", "--users", "40"]):
        subprocess.run(
            [saltbitter, *step], cwd=folder, env=env, check=True, capture_output=True, timeout=300
        )
    port = _free_port()
    with (folder / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [saltbitter, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "serve.log").read_text()) from None
                time.sleep(0.2)
        yield folder, port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def test_the_readme_marks_the_whole_walkthrough_for_testing() -> None:
    blocks = marked_blocks(README.read_text(encoding="utf-8"))
    script = "\n".join(blocks)
    for step in (
        "/auth/register",
        "var/mail",
        "/auth/verify",
        "/auth/login",
        "authorization: Bearer",
        "/me/photos",
        "/matches/daily",
        "/likes",
    ):
        assert step in script, f"the tested walkthrough lost its {step} step"


def test_every_readme_curl_with_a_json_body_says_so() -> None:
    for block in marked_blocks(README.read_text(encoding="utf-8")):
        for command in re.split(r"\n(?=\S)", block):
            sends_json = " -d " in command
            if sends_json and (command.startswith("curl") or "$(curl" in command):
                assert "content-type: application/json" in command, command


def test_every_readme_curl_fails_on_an_http_error() -> None:
    # Otherwise the walkthrough test could pass over an error answer.
    for block in marked_blocks(README.read_text(encoding="utf-8")):
        for call in re.findall(r"curl [^\n]*", block):
            assert "--fail-with-body" in call, call


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's commands use curl")
def test_the_readme_walkthrough_runs_as_written(checkout: tuple[Path, int]) -> None:
    folder, port = checkout
    blocks = marked_blocks(README.read_text(encoding="utf-8"))
    script = "set -euo pipefail\n" + "\n".join(blocks)
    script = script.replace("localhost:8000", f"127.0.0.1:{port}")
    result = subprocess.run(
        ["bash", "-c", script],
        check=False,
        cwd=folder,
        env=_embedded_environment(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    out = result.stdout  # every curl fails the script on an HTTP error (--fail-with-body)
    assert '"email_verified":true' in out  # verified with the mailed code; GET /me
    assert '"photo_id"' in out  # the upload
    assert '"total"' in out  # demo-1's first daily candidate, with its components
    assert '"matched"' in out  # the like
    assert (folder / "me.jpg").exists()
