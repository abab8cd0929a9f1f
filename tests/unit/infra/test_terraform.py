"""The Terraform under infra/terraform, checked statically (no cloud is reachable here).

checkov runs over the same files in `make check`; these tests check the wiring that
matters most and that a scanner cannot see across modules: the database and cache are
not public, every bucket blocks public access, every secret the tasks read comes from
Secrets Manager, and exactly one Beat runs. Each rule is a function returning what it
finds wrong, tested on the real tree and on a broken copy (so it can fail).
"""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import fields
from pathlib import Path
from typing import Any

import hcl2
import pytest

from saltbitter.entrypoints.capabilities.profiles import S3_PHOTO_PREFIX
from saltbitter.entrypoints.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parents[3] / "infra" / "terraform"
SECRET_LIKE = re.compile(
    r"SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE_KEY|DATABASE_URL|REDIS_URL|BROKER_URL"
)


def _clean(value: Any) -> Any:
    """python-hcl2 keeps HCL's quotes on keys and strings and adds bookkeeping keys."""
    if isinstance(value, dict):
        return {
            _clean(key): _clean(item)
            for key, item in value.items()
            if not (key.startswith("__") and key.endswith("__"))
        }
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@functools.cache
def _parse(text: str) -> dict[str, Any]:
    """Parsing is slow (a full grammar); the rules read the same files many times."""
    parsed: dict[str, Any] = _clean(hcl2.loads(text))
    return parsed


def load_module(folder: Path) -> dict[str, Any]:
    """All blocks of one module: resources by type and name, variables, outputs, locals."""
    module: dict[str, Any] = {"resource": {}, "data": {}, "variable": {}, "output": {}}
    module["locals"] = {}
    module["module"] = {}
    for path in sorted(folder.glob("*.tf")):
        parsed = _parse(path.read_text())
        for block in parsed.get("resource", []) + parsed.get("data", []):
            kind = "resource" if block in parsed.get("resource", []) else "data"
            for type_name, named in block.items():
                for name, body in named.items():
                    module[kind].setdefault(type_name, {})[name] = body
        for key in ("variable", "output", "module"):
            for block in parsed.get(key, []):
                module[key].update(block)
        for block in parsed.get("locals", []):
            module["locals"].update(block)
    return module


def _modules(root: Path) -> dict[str, dict[str, Any]]:
    return {folder.name: load_module(folder) for folder in sorted((root / "modules").iterdir())}


# ---- the rules ----


def data_stores_not_public(root: Path) -> list[str]:
    modules = _modules(root)
    problems: list[str] = []
    database = modules["database"]["resource"]["aws_db_instance"]["this"]
    if database.get("publicly_accessible") is not False:
        problems.append("database: publicly_accessible is not false")
    for flag in ("storage_encrypted", "multi_az", "deletion_protection"):
        if database.get(flag) is not True:
            problems.append(f"database: {flag} is not true")
    cache = modules["cache"]["resource"]["aws_elasticache_replication_group"]["this"]
    for flag in ("transit_encryption_enabled", "at_rest_encryption_enabled", "multi_az_enabled"):
        if cache.get(flag) is not True:
            problems.append(f"cache: {flag} is not true")
    if "auth_token" not in cache:
        problems.append("cache: no AUTH token")
    for name in ("database", "cache"):
        ingress = modules[name]["resource"]["aws_vpc_security_group_ingress_rule"]
        for rule_name, rule in ingress.items():
            if "cidr_ipv4" in rule or "cidr_ipv6" in rule:
                problems.append(f"{name}: ingress {rule_name} admits an address range")
        stack = modules["stack"]["module"][name]
        if stack.get("subnet_ids") != "${module.network.data_subnet_ids}":
            problems.append(f"{name}: not placed in the data subnets")
    data_routes = modules["network"]["resource"]["aws_route_table"]["data"]
    if "route" in data_routes:
        problems.append("network: the data subnets have a route out")
    return problems


def buckets_block_public_access(root: Path) -> list[str]:
    storage = _modules(root)["storage"]["resource"]
    blocks = storage.get("aws_s3_bucket_public_access_block", {})
    problems: list[str] = []
    for name in storage["aws_s3_bucket"]:
        block = blocks.get(name)
        if block is None or block.get("bucket") != f"${{aws_s3_bucket.{name}.id}}":
            problems.append(f"bucket {name}: no public access block")
            continue
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ):
            if block.get(flag) is not True:
                problems.append(f"bucket {name}: {flag} is not true")
    return problems


def secrets_come_from_secrets_manager(root: Path) -> list[str]:
    modules = _modules(root)
    problems: list[str] = []
    compute = modules["compute"]
    for name in compute["locals"]["base_environment"]:
        if SECRET_LIKE.search(name):
            problems.append(f"plain environment holds {name}")
    if "SECRET" not in compute["variable"]["extra_environment"].get("validation", [{}])[0].get(
        "condition", ""
    ):
        problems.append("extra_environment does not refuse credentials")
    if "var.secret_arns" not in compute["locals"]["secrets"]:
        problems.append("the tasks' secrets do not come from secret_arns")
    # Every ARN handed to the tasks is an aws_secretsmanager_secret's.
    outputs = {name: modules[name]["output"] for name in ("secrets", "database", "cache")}
    secret_outputs = {
        "module.secrets.secret_arns": list(outputs["secrets"]["secret_arns"]["value"].values()),
        "module.database.url_secret_arn": [outputs["database"]["url_secret_arn"]["value"]],
        "module.cache.url_secret_arn": [outputs["cache"]["url_secret_arn"]["value"]],
    }
    handed = modules["stack"]["module"]["compute"]["secret_arns"]
    for reference, values in secret_outputs.items():
        if reference not in handed:
            problems.append(f"compute is not given {reference}")
        for value in values:
            if not re.fullmatch(r"\$\{aws_secretsmanager_secret\.[\w\[\]\"-]+\.arn\}", value):
                problems.append(f"{reference}: {value} is not a Secrets Manager ARN")
    for stray in re.findall(r"(?:module|var)\.[\w.]+", handed):
        if stray not in secret_outputs:
            problems.append(f"compute secret_arns takes {stray}, not from Secrets Manager")
    return problems


def photo_cdn_wired(root: Path) -> list[str]:
    """The tasks sign photo links for the distribution that serves exactly the app's
    photo prefix: base URL and key id from the storage module, the private key from a
    Secrets Manager secret Terraform never fills, and an origin path that is the prefix
    the API writes photos under (so exports, outside it, are never reachable)."""
    modules = _modules(root)
    problems: list[str] = []
    environment = modules["compute"]["locals"]["base_environment"]
    for setting, variable in (
        ("SALTBITTER_CDN_BASE_URL", "cdn_base_url"),
        ("SALTBITTER_CDN_KEY_PAIR_ID", "cdn_key_pair_id"),
    ):
        if environment.get(setting) != f"${{var.{variable}}}":
            problems.append(f"compute: {setting} is not var.{variable}")
    compute = modules["stack"]["module"]["compute"]
    for variable, output in (
        ("cdn_base_url", "photos_base_url"),
        ("cdn_key_pair_id", "photos_signing_key_id"),
    ):
        if compute.get(variable) != f"${{module.storage.{output}}}":
            problems.append(f"stack: compute {variable} is not module.storage.{output}")
    storage = modules["storage"]
    if storage["output"]["photos_signing_key_id"]["value"] != (
        "${aws_cloudfront_public_key.photos[var.cloudfront_signing_key].id}"
    ):
        problems.append("storage: the signing key id is not one of the trusted public keys")
    arns = modules["secrets"]["output"]["secret_arns"]["value"]
    private_key = arns.get("SALTBITTER_CDN_PRIVATE_KEY", "")
    match = re.fullmatch(r"\$\{aws_secretsmanager_secret\.(\w+)\.arn\}", private_key)
    if match is None:
        problems.append("secrets: SALTBITTER_CDN_PRIVATE_KEY is not a Secrets Manager secret")
    else:
        versions = modules["secrets"]["resource"].get("aws_secretsmanager_secret_version", {})
        if any(f"aws_secretsmanager_secret.{match[1]}." in str(v) for v in versions.values()):
            problems.append("secrets: Terraform writes the CDN private key (an operator must)")
    distribution = storage["resource"]["aws_cloudfront_distribution"]["photos"]
    (origin,) = distribution["origin"]
    if origin.get("origin_path") != "/" + S3_PHOTO_PREFIX.rstrip("/"):
        problems.append(
            f"storage: origin_path {origin.get('origin_path')!r} is not the app's photo "
            f"prefix {S3_PHOTO_PREFIX!r}"
        )
    (behaviour,) = distribution["default_cache_behavior"]
    if behaviour.get("trusted_key_groups") != ["${aws_cloudfront_key_group.photos.id}"]:
        problems.append("storage: the distribution does not require signed URLs")
    statements = storage["data"]["aws_iam_policy_document"]["media"]["statement"]
    readable = [
        resource
        for statement in statements
        if any("cloudfront" in str(p.get("identifiers")) for p in statement.get("principals", []))
        for resource in statement["resources"]
    ]
    if readable != [f"${{aws_s3_bucket.media.arn}}/{S3_PHOTO_PREFIX}*"]:
        problems.append(f"storage: CloudFront may read {readable}, not {S3_PHOTO_PREFIX} only")
    return problems


def exactly_one_beat(root: Path) -> list[str]:
    beat = _modules(root)["compute"]["resource"]["aws_ecs_service"]["beat"]
    expected = {
        "desired_count": 1,
        "deployment_maximum_percent": 100,
        "deployment_minimum_healthy_percent": 0,
    }
    return [
        f"beat: {key} is {beat.get(key)!r}"
        for key, value in expected.items()
        if beat.get(key) != value
    ]


def everything_documented(root: Path) -> list[str]:
    problems: list[str] = []
    folders = [*sorted((root / "modules").iterdir()), *sorted((root / "environments").iterdir())]
    for folder in folders:
        module = load_module(folder)
        for kind in ("variable", "output"):
            for name, body in module[kind].items():
                if not str(body.get("description", "")).strip():
                    problems.append(f"{folder.name}: {kind} {name} has no description")
    return problems


def checkov_skips_justified(root: Path) -> list[str]:
    problems: list[str] = []
    for path in sorted(root.rglob("*.tf")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            justified = re.search(r"checkov:skip=CKV2?_AWS_\d+: \S.{20,}", line)
            if "checkov:skip" in line and not justified:
                problems.append(f"{path.relative_to(root)}:{number}: skip without a reason")
    return problems


RULES = [
    data_stores_not_public,
    buckets_block_public_access,
    secrets_come_from_secrets_manager,
    photo_cdn_wired,
    exactly_one_beat,
    everything_documented,
    checkov_skips_justified,
]


# ---- the real tree ----


def test_every_terraform_file_parses() -> None:
    files = sorted(ROOT.rglob("*.tf"))
    assert len(files) >= 30
    for path in files:
        assert _parse(path.read_text()), path


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_infrastructure_keeps_the_rule(rule: Any) -> None:
    assert rule(ROOT) == []


def test_every_setting_given_to_the_tasks_exists() -> None:
    modules = _modules(ROOT)
    names = set(modules["compute"]["locals"]["base_environment"])
    names |= set(re.findall(r"SALTBITTER_\w+", str(modules["secrets"]["output"]["secret_arns"])))
    names |= set(re.findall(r"SALTBITTER_\w+", str(modules["stack"]["module"]["compute"])))
    known = {PREFIX + setting.name.upper() for setting in fields(Settings)}
    assert names - known == set()
    assert {"SALTBITTER_DATABASE_URL", "SALTBITTER_REDIS_URL", "SALTBITTER_JWT_SECRET"} <= names
    assert {
        "SALTBITTER_CDN_BASE_URL",
        "SALTBITTER_CDN_KEY_PAIR_ID",
        "SALTBITTER_CDN_PRIVATE_KEY",
    } <= names


def test_both_environments_use_the_whole_stack() -> None:
    for environment in ("staging", "production"):
        root = load_module(ROOT / "environments" / environment)
        assert root["module"]["saltbitter"]["source"] == "../../modules/stack"


# ---- the rules can fail ----


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "terraform"
    shutil.copytree(ROOT, copy)
    return copy


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1))


BREAKAGES = [
    (
        data_stores_not_public,
        "modules/database/main.tf",
        "publicly_accessible    = false",
        "publicly_accessible    = true",
        "database: publicly_accessible is not false",
    ),
    (
        data_stores_not_public,
        "modules/stack/main.tf",
        "subnet_ids               = module.network.data_subnet_ids",
        "subnet_ids               = module.network.public_subnet_ids",
        "database: not placed in the data subnets",
    ),
    (
        buckets_block_public_access,
        "modules/storage/main.tf",
        "restrict_public_buckets = true",
        "restrict_public_buckets = false",
        "bucket media: restrict_public_buckets is not true",
    ),
    (
        secrets_come_from_secrets_manager,
        "modules/compute/main.tf",
        'SALTBITTER_TASKS               = "celery"',
        'SALTBITTER_TASKS               = "celery"\n    SALTBITTER_JWT_SECRET = "oops"',
        "plain environment holds SALTBITTER_JWT_SECRET",
    ),
    (
        secrets_come_from_secrets_manager,
        "modules/database/outputs.tf",
        "value       = aws_secretsmanager_secret.url.arn",
        "value       = aws_ssm_parameter.url.arn",
        "module.database.url_secret_arn: ${aws_ssm_parameter.url.arn} is not a Secrets Manager ARN",
    ),
    (
        photo_cdn_wired,
        "modules/storage/main.tf",
        'origin_path = "/photos"',
        'origin_path = ""',
        "storage: origin_path '' is not the app's photo prefix 'photos/'",
    ),
    (
        photo_cdn_wired,
        "modules/storage/main.tf",
        'resources = ["${aws_s3_bucket.media.arn}/photos/*"]',
        'resources = ["${aws_s3_bucket.media.arn}/*"]',
        "storage: CloudFront may read",
    ),
    (
        photo_cdn_wired,
        "modules/compute/main.tf",
        "SALTBITTER_CDN_KEY_PAIR_ID = var.cdn_key_pair_id",
        'SALTBITTER_CDN_KEY_PAIR_ID = "K2HARDCODED"',
        "compute: SALTBITTER_CDN_KEY_PAIR_ID is not var.cdn_key_pair_id",
    ),
    (
        photo_cdn_wired,
        "modules/secrets/outputs.tf",
        "SALTBITTER_CDN_PRIVATE_KEY       = aws_secretsmanager_secret.cloudfront_private_key.arn",
        "SALTBITTER_CDN_PRIVATE_KEY       = aws_ssm_parameter.cdn.arn",
        "secrets: SALTBITTER_CDN_PRIVATE_KEY is not a Secrets Manager secret",
    ),
    (
        photo_cdn_wired,
        "modules/secrets/main.tf",
        "# Keys issued by third parties:",
        'resource "aws_secretsmanager_secret_version" "cdn" {\n'
        "  secret_id     = aws_secretsmanager_secret.cloudfront_private_key.id\n"
        '  secret_string = "pem"\n'
        "}\n\n# Keys issued by third parties:",
        "secrets: Terraform writes the CDN private key",
    ),
    (
        exactly_one_beat,
        "modules/compute/main.tf",
        "deployment_maximum_percent         = 100",
        "deployment_maximum_percent         = 200",
        "beat: deployment_maximum_percent is 200",
    ),
    (
        everything_documented,
        "modules/cache/variables.tf",
        'description = "ElastiCache node type."',
        'description = ""',
        "cache: variable node_type has no description",
    ),
    (
        checkov_skips_justified,
        "modules/edge/main.tf",
        "#checkov:skip=CKV_AWS_2: this listener only redirects to HTTPS",
        "#checkov:skip=CKV_AWS_2",
        "modules/edge/main.tf",
    ),
]


@pytest.mark.parametrize(
    ("rule", "relative", "old", "new", "expected"),
    BREAKAGES,
    ids=[f"{breakage[0].__name__}-{index}" for index, breakage in enumerate(BREAKAGES)],
)
def test_a_broken_copy_breaks_the_rule(
    broken_copy: Path, rule: Any, relative: str, old: str, new: str, expected: str
) -> None:
    assert rule(broken_copy) == []
    _edit(broken_copy, relative, old, new)
    assert any(expected in problem for problem in rule(broken_copy))
