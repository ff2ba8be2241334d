# Kehu — the two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
KEHU := $(BIN)/kehu
# Django 6.1 needs Python >= 3.12: take KEHU_PYTHON, else the newest suitable one found.
PYTHON ?= $(shell scripts/find-python)
export KEHU_DATA_DIR ?= $(CURDIR)/var
export KEHU_PORT ?= 8000

.PHONY: help run test setup assets messages lint typecheck unit browser bench clean

help:
	@echo "make run   - install, migrate, load demo data once, serve on http://127.0.0.1:$(KEHU_PORT)"
	@echo "make test  - lint, type-check and run the whole suite"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Kehu needs Python 3.12 or newer (set KEHU_PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed packages follow requirements.lock; the stamp changes when it or pyproject does.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	$(BIN)/python scripts/vendor_assets.py

# Tools that never touch the database load the settings on the embedded default, which needs no
# cluster keys.
NO_DATABASE := env -u KEHU_DATABASE_URL

messages: $(VENV)/.installed
	$(NO_DATABASE) $(KEHU) compilemessages --verbosity 0 --ignore .venv --ignore node_modules --ignore var

setup: $(VENV)/.installed assets messages
	$(KEHU) migrate --noinput --verbosity 0
	$(KEHU) collectstatic --noinput --verbosity 0
	$(KEHU) seed_demo

run: setup
	$(KEHU) serve --port $(KEHU_PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check kehu tests bench scripts
	$(BIN)/ruff format --check kehu tests bench scripts

typecheck: $(VENV)/.installed
	$(NO_DATABASE) $(BIN)/mypy kehu

# Unit and integration tests on both cores (pytest-xdist); browser tests then on their own, each
# driving its own server.
unit: $(VENV)/.installed assets messages
	KEHU_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -q -m "not browser" -n 2 $(PYTEST_ARGS)

browser: $(VENV)/.installed assets messages
	KEHU_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -q -m browser $(PYTEST_ARGS)

test: lint typecheck unit browser

# Benchmarks (bench/README.md): SQLite unless KEHU_DATABASE_URL is set; options in BENCH_ARGS,
# e.g. make bench BENCH_ARGS="--database postgres://postgres@127.0.0.1:5432/postgres --size 20000"
bench: $(VENV)/.installed
	KEHU_DATA_DIR=$(CURDIR)/var/bench $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules kehu/static/vendor var/test
