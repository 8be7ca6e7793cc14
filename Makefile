# Tadqiq — the two README commands are `make demo` and `make test`.
SHELL := /bin/bash
export TADQIQ_DATA_DIR ?= $(CURDIR)/data
export TADQIQ_WAREHOUSE_PATH ?= $(TADQIQ_DATA_DIR)/warehouse.duckdb
export DAGSTER_HOME ?= $(TADQIQ_DATA_DIR)/dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.venv-tools/bin/uv)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
PYTHONS ?= 3.12 3.13  # the other supported Pythons, beside $(PYTHON)
SCOPE ?= rollout
YEARS ?= 2022-2024

.PHONY: install test-pythons system-packages demo build generate serve ui test lint fmt manifest benchmark clean

$(UV):
	$(PYTHON) -m venv $(CURDIR)/.venv-tools
	$(CURDIR)/.venv-tools/bin/pip install --quiet uv

install: $(UV)  ## the locked environment in .venv, with the dev tools
	$(UV) sync --frozen --extra dev --python $(PYTHON)

demo: install  ## data -> pipeline -> warehouse -> dashboard, on the embedded default
	$(BIN)/tadqiq demo --scope $(SCOPE) --years $(YEARS)

generate: install
	$(BIN)/tadqiq generate --scope $(SCOPE) --years $(YEARS)

build: install
	$(BIN)/tadqiq build

serve: install
	$(BIN)/tadqiq serve

ui: install  ## the Dagster UI on the same local storage
	$(BIN)/tadqiq ui

manifest: install
	$(BIN)/dbt parse --project-dir dbt_project --profiles-dir dbt_project --quiet

lint: manifest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix dbt_project/models

system-packages:  ## Chromium, poppler and an Arabic font for the browser and PDF tests (apt)
	.ci/system-packages

test: lint system-packages  ## lint, then the whole test suite (a skipped test fails it)
	$(BIN)/pytest -q -p no:cacheprovider

test-pythons: $(UV) system-packages  ## the test suite on each other supported Python (PYTHONS)
	UV=$(UV) .ci/test-pythons $(PYTHONS)

benchmark: install  ## time and peak memory of a scope, end to end (SCOPE=national)
	$(BIN)/python -m orchestration.benchmark --scope $(SCOPE) --years $(YEARS)

clean:
	rm -rf data/inbox data/raw data/published data/warehouse.duckdb* dbt_project/target dbt_project/logs
