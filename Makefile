# The front door. `make run` and `make test` each work on a fresh machine: they create
# the virtual environment and install the locked dependencies themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.synced-$(shell cat uv.lock pyproject.toml | sha1sum | cut -c1-12)
export PYTHONPATH := src
export DJANGO_SETTINGS_MODULE := pledge.settings
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test lint typecheck checks pytest pytest-sqlite pytest-postgres browser wrk bench bench-scale demo fmt clean help

help:  ## List the verbs.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip >/dev/null; \
	  $(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION); }
	@$(BIN)/uv sync -q --locked --inexact --extra dev
	@rm -f $(VENV)/.synced-* && touch $@

venv: $(STAMP)

run: $(STAMP)  ## Serve the SogaWorks site with demo data on http://127.0.0.1:8000 (SQLite under var/).
	$(BIN)/pledge migrate --noinput
	$(BIN)/pledge migrate --noinput --database keys
	$(BIN)/pledge demo load
	$(BIN)/pledge runserver 127.0.0.1:8000

test: lint typecheck checks pytest  ## Everything CI runs: lint, types, Django checks, import rules, tests on SQLite and PostgreSQL.

lint: $(STAMP)  ## Ruff lint and format check.
	$(BIN)/ruff check src bench conftest.py
	$(BIN)/ruff format --check src bench conftest.py

fmt: $(STAMP)  ## Apply ruff's fixes and formatting.
	$(BIN)/ruff check --fix src bench conftest.py
	$(BIN)/ruff format src bench conftest.py

typecheck: $(STAMP)  ## mypy with django-stubs.
	$(BIN)/mypy

checks: $(STAMP)  ## manage.py check, migrations up to date, import-linter contracts.
	PLEDGE_ENV=test $(BIN)/pledge check --fail-level WARNING
	PLEDGE_ENV=test $(BIN)/pledge makemigrations --check --dry-run
	$(BIN)/lint-imports

browser:  ## Install Debian's Chromium for the browser tests, if missing.
	@command -v chromium >/dev/null || command -v /usr/bin/chromium >/dev/null || \
	  { echo "Installing Chromium from Debian for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

wrk:  ## Install Debian's wrk, the HTTP load generator of the benchmarks, if missing.
	@command -v wrk >/dev/null || { echo "Installing wrk from Debian for the HTTP benchmarks"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null \
	  || echo "wrk not installed: the benchmarks fall back to bench/loadclient.py"; }

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: $(STAMP) browser  ## The test suite on SQLite.
	PLEDGE_ENV=test $(BIN)/pytest

pytest-postgres: $(STAMP) browser  ## The test suite on PostgreSQL (fails under CI=true if the server is missing).
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  PLEDGE_ENV=test DATABASE_URL=$(PG_URL) $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL is required under CI=true and $(PG_URL) is unreachable" >&2; exit 1; \
	else echo "PostgreSQL unreachable at $(PG_URL): skipping the PostgreSQL run (it is required under CI=true)"; fi

bench: $(STAMP) wrk  ## Benchmarks; BENCH_SCALE=full for 100,000 customers, BENCH_DB=sqlite|postgres|both.
	$(BIN)/python -m bench

bench-scale: $(STAMP)  ## Access export and erasure cost at 10k, 30k, 100k customers (BENCH_SIZES, BENCH_DB).
	$(BIN)/python -m bench.scale

clean:  ## Remove the virtual environment and local data.
	rm -rf $(VENV) var
