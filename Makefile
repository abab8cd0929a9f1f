# SaltBitter: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint typecheck imports infra unit integration bench bench-api clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start the API on the embedded defaults (SQLite, local files, in-process tasks) with demo data.
run: $(STAMP)
	$(BIN)/saltbitter db upgrade
	$(BIN)/saltbitter demo seed --users 40
	$(BIN)/saltbitter serve --host $(HOST) --port $(PORT)

# The unit tests run on UNIT_WORKERS pytest-xdist processes (ADR 0037); 0 runs them in one.
# The integration tests share real services and stay in one process.
UNIT_WORKERS ?= 2
UNIT_PYTEST := $(BIN)/pytest tests/unit -n $(UNIT_WORKERS) --dist worksteal

## Install, lint, type-check, check layering, run unit and integration tests.
test: $(STAMP) check
	$(UNIT_PYTEST)
	$(BIN)/pytest tests/integration

check: lint typecheck imports infra

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

## The container image and Terraform, checked statically (no cloud is reachable from CI).
## checkov pins its own dependencies (an older boto3), so it lives in a venv of its own.
CHECKOV_VENV := $(VENV)/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
$(CHECKOV): | $(BIN)/python
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==3.3.30'

infra: $(STAMP) $(CHECKOV)
	$(BIN)/hadolint Dockerfile
	$(CHECKOV) --directory infra/terraform --framework terraform --quiet --compact --skip-download

unit: $(STAMP)
	$(UNIT_PYTEST)

integration: $(STAMP)
	$(BIN)/pytest tests/integration

## Benchmarks print figures and ratios; they are never part of the tests.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## The API against a bare Litestar app (wrk, PostgreSQL + Redis; docs/performance.md).
bench-api: $(STAMP)
	$(BIN)/python -m benchmarks.bench_api $(BENCH_API_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
