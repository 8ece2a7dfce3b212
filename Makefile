# bistand — the public interface. Two commands for a newcomer: `make demo` and `make test`.
# Every step runs in sequence: DuckDB has one writer, and the pages read a published copy.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen
DATA := data
LANDING := $(DATA)/landing
WAREHOUSE := $(DATA)/warehouse.duckdb
PORT ?= 3000
# The demo runs on the calibrated Stockholm-sized profile; tests generate their own tiny data.
PROFILE ?= stockholm
# Dagster's UI; its instance is the one beside $(WAREHOUSE), where `bistand refresh` records its
# runs (data/dagster_home; DAGSTER_HOME overrides), see orchestration/ui.py.
UI_PORT ?= 3001
# Dagster's own log lines (every sensor tick at info); `make ui UI_LOG_LEVEL=info` shows them.
UI_LOG_LEVEL ?= warning
CHROMIUM := /usr/bin/chromium
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_TELEMETRY_ENABLED := false

.PHONY: help setup python-deps evidence-deps chromium demo refresh pages serve test lint ui docs bench clean

help:
	@echo "make demo   installera allt, generera testdata, uppdatera lagret, bygg och visa sidorna"
	@echo "make test   installera det testerna behöver och kör alla tester (även webbläsartestet)"
	@echo "make ui     starta Dagsters gränssnitt (dagster dev) på samma instans som bistand refresh"
	@echo "make bench  kör prestandamätningarna och skriv benchmarks/results.md"

setup: python-deps evidence-deps

# Byte-compiled once here (seconds the first time, then only what changed): with
# PYTHONDONTWRITEBYTECODE=1 in the environment (CI images often set it) every refresh, dbt and
# test process would otherwise compile the ~2 000 modules of dagster, dbt and their libraries
# again (0,5–1 s a process).
python-deps:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --frozen --quiet --compile-bytecode
	@$(RUN) python -m compileall -q orchestration benchmarks tests >/dev/null

evidence-deps:
	@command -v npm >/dev/null || { echo "npm saknas: installera Node.js 20"; exit 1; }
	cd evidence && npm install --no-audit --no-fund --loglevel=error
	cd evidence && npm run --silent check:patches

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installerar Debians chromium för webbläsartestet"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

$(LANDING):
	$(RUN) bistand generate --out $(LANDING) --profile $(PROFILE)

# The refresh builds the pages too (Dagster's pages asset, with the Word reports); `make pages`
# builds them again from the published file as it is, by the same code (orchestration/pages.py:
# the old pages stay until the new build has succeeded, and a refresh knows they are current).
refresh: python-deps evidence-deps $(LANDING)
	$(RUN) bistand refresh --landing $(LANDING) --warehouse $(WAREHOUSE)

pages: python-deps evidence-deps
	$(RUN) python -m orchestration.pages $(DATA)/publish.duckdb

serve:
	@echo ""
	@echo "Sidorna finns på http://127.0.0.1:$(PORT)/  (avsluta med Ctrl-C)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory evidence/build

demo: setup refresh serve

lint: python-deps
	$(RUN) ruff check .
	$(RUN) ruff format --check .

# One pytest session; the Evidence site the browser tests need is built in the background while
# the other tests run (tests/conftest.py). Two sessions side by side were tried on 2 cores
# (benchmarks, 5970e71): 562 s against ~620 s one after the other, but the browser test's 30 s
# waits then timed out under the contention — a flaky CI is worse than a minute.
# The installs wait mostly on the network and the disk, not on each other: side by side (-j2,
# each step's output kept together). Evidence's node packages (`make evidence-deps`, ~25 s with a
# warm npm cache) are installed by the test session itself while its first tests run, before
# the tests that use them (tests/conftest.py: install_evidence).
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target python-deps chromium
	@$(MAKE) --no-print-directory lint
	$(RUN) pytest

# `dagster dev` (not `dg dev`): the pinned dagster 1.13 set has no `dg` command (dagster-dg-cli
# is not a dependency). orchestration/ui.py runs it on the CLI's instance and the same landing
# and warehouse, and stops it with everything it started on Ctrl-C, SIGINT or SIGTERM.
ui: python-deps
	@echo "Dagsters gränssnitt på http://127.0.0.1:$(UI_PORT)/  (avsluta med Ctrl-C)"
	@BISTAND_LANDING=$(abspath $(LANDING)) BISTAND_WAREHOUSE=$(abspath $(WAREHOUSE)) \
		exec $(RUN) python -m orchestration.ui -h 127.0.0.1 -p $(UI_PORT) --log-level $(UI_LOG_LEVEL)

docs: python-deps
	cd dbt_project && BISTAND_WAREHOUSE=$(CURDIR)/$(WAREHOUSE) ../.venv/bin/dbt docs generate --profiles-dir .

# e.g. make bench BENCH_ARGS="--profiles stockholm --skip-site" (see --help); chromium for the
# site benchmark's first-render check (on a fresh machine it failed: no browser)
BENCH_ARGS ?=
bench: setup chromium
	$(RUN) python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(DATA) .dagster_home dbt_project/target dbt_project/logs evidence/build
