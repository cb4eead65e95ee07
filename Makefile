# The few verbs people expect; CI (.ci/run) calls the same ones.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run ingest test test-fast lint format typecheck bench eval audit audit-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned to the CPU build on this disk; any looser spec pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

ingest: setup
	$(BIN)/report-assistant ingest

run: setup
	$(BIN)/report-assistant serve --host 127.0.0.1 --port 7860

test: setup
	$(BIN)/python -m pytest -q --doctest-modules index assistant ui tests

test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e and not chroma_server" tests

lint: setup
	$(BIN)/ruff check index assistant ui tests scripts
	$(BIN)/ruff format --check index assistant ui tests scripts

format: setup
	$(BIN)/ruff format index assistant ui tests scripts
	$(BIN)/ruff check --fix index assistant ui tests scripts

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python scripts/bench_index.py
	$(BIN)/python scripts/bench_pdf.py
	$(BIN)/python scripts/bench_answer.py
	$(BIN)/python scripts/bench_figures.py
	$(BIN)/python scripts/bench_web.py

eval: setup
	$(BIN)/report-assistant eval-suite seeds/suite.toml --out reports/suite

audit: setup
	$(BIN)/report-assistant audit

# Known vulnerabilities in the installed dependencies (pip-audit); says so when its data is unreachable.
audit-deps: setup
	$(BIN)/python scripts/audit_deps.py

clean:
	rm -rf data reports test-artifacts .pytest_cache .mypy_cache .ruff_cache
