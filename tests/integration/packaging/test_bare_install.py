"""``pip install saltbitter`` pulls no third-party package, the core still imports, and the
console script says which extra to install instead of crashing."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import importlib, json, pkgutil, sys
import saltbitter.domain, saltbitter.application
for package in (saltbitter.domain, saltbitter.application):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
from importlib.metadata import requires
stdlib = sys.stdlib_module_names
roots = {name.split(".")[0] for name in sys.modules}
ours = {"saltbitter"}
print(json.dumps({
    "foreign": sorted(r for r in roots - ours if r not in stdlib and not r.startswith("_")),
    "requires": [r for r in (requires("saltbitter") or []) if "extra ==" not in r],
}))
"""


def test_bare_package_installs_and_imports_without_third_party_modules(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("saltbitter-*.whl")
    # The API docs UI is served from files inside the package (offline docs).
    with zipfile.ZipFile(wheel) as archive:
        assets = {Path(name).name for name in archive.namelist() if "/static/swagger-ui/" in name}
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"} <= assets
    environment = tmp_path / "bare"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = subprocess.run(
        [str(python), "-c", PROBE], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    report = json.loads(probe.stdout)
    assert report == {"foreign": [], "requires": []}
    marker = "import saltbitter, pathlib; print(pathlib.Path(saltbitter.__file__).parent)"
    typed = subprocess.run(
        [str(python), "-c", marker],
        check=True,
        capture_output=True,
        text=True,
    )
    assert (Path(typed.stdout.strip()) / "py.typed").is_file()

    for arguments in ([], ["serve"], ["--help"]):
        script = subprocess.run(
            [str(environment / "bin" / "saltbitter"), *arguments],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert script.returncode == 1
        assert script.stdout == ""
        [line] = script.stderr.splitlines()
        assert "pip install 'saltbitter[api]'" in line
        assert "saltbitter[all]" in line
