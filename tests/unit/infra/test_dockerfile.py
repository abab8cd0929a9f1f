"""The container image definition: one image for api, worker and beat, slim, non-root,
health-checked, with nothing secret in it. hadolint lints it in `make check`; these
tests hold the promises hadolint does not check."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
DOCKERFILE = REPOSITORY / "Dockerfile"
SECRET_LIKE = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|DATABASE_URL|REDIS_URL")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    result = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def _runtime_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    starts = [index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert len(starts) >= 2, "build and runtime are separate stages"
    return instructions[starts[-1] :]


def test_the_runtime_stage_copies_only_the_built_environment() -> None:
    copies = [args for keyword, args in _runtime_stage() if keyword == "COPY"]
    assert copies == ["--from=build /opt/saltbitter /opt/saltbitter"]
    from_line = next(args for keyword, args in _runtime_stage() if keyword == "FROM")
    assert "slim" in DOCKERFILE.read_text()
    assert "AS runtime" in from_line


def test_the_processes_run_as_an_unprivileged_user() -> None:
    users = [args for keyword, args in _runtime_stage() if keyword == "USER"]
    assert users, "the runtime stage sets a user"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_the_health_check_probes_liveness() -> None:
    checks = [args for keyword, args in _runtime_stage() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "/health/live" in checks[0]


def test_one_image_serves_api_worker_and_beat() -> None:
    stage = dict(_runtime_stage())
    assert stage["ENTRYPOINT"] == '["saltbitter"]'
    assert stage["CMD"].startswith('["serve"')
    # worker and beat are the same image with another command (infra/terraform compute).
    compute = (REPOSITORY / "infra/terraform/modules/compute/main.tf").read_text()
    assert 'command = ["worker"' in compute
    assert 'command = ["beat"]' in compute


def test_no_secret_is_baked_in() -> None:
    for keyword, args in _instructions():
        if keyword in {"ENV", "ARG", "LABEL"}:
            assert not SECRET_LIKE.search(args), args


def test_the_build_context_is_only_what_the_image_needs() -> None:
    ignored = (REPOSITORY / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*") + 1 :][:4] == [
        "!pyproject.toml",
        "!README.md",
        "!LICENSE",
        "!src/",
    ]
