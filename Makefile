# Two commands for a newcomer: `make run` and `make test`. Everything else is set-up they call.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB_NAME ?= cadastre
TEST_DB_NAME ?= cadastre_test
TRAINING_DB_NAME ?= cadastre_training
HOST ?= 127.0.0.1
PORT ?= 5000
# Two roles (cadastre/db_roles.py): the application connects as DB_APP_ROLE, which owns
# nothing and may only read and write rows; migrations, training resets, backups and restores
# connect as DB_OWNER, which owns the tables (and is no superuser). The tests use the owner.
export DB_OWNER ?= cadastre
export DB_APP_ROLE ?= cadastre_app
export CADASTRE_DATABASE_URL ?= postgresql+psycopg://$(DB_APP_ROLE)@127.0.0.1:5432/$(DB_NAME)
# With SKIP_LOCAL_DB=1 and no owner URL, the owner is CADASTRE_DATABASE_URL's with user cadastre.
export CADASTRE_OWNER_DATABASE_URL ?= $(if $(filter 1,$(SKIP_LOCAL_DB)),,postgresql+psycopg://$(DB_OWNER)@127.0.0.1:5432/$(DB_NAME))
export CADASTRE_TRAINING_DATABASE_URL ?= postgresql+psycopg://$(DB_APP_ROLE)@127.0.0.1:5432/$(TRAINING_DB_NAME)
export CADASTRE_TEST_DATABASE_URL ?= postgresql+psycopg://$(DB_OWNER)@127.0.0.1:5432/$(TEST_DB_NAME)
# Set SKIP_LOCAL_DB=1 when CADASTRE_DATABASE_URL points at a PostGIS you manage yourself.
export SKIP_LOCAL_DB ?= 0

.PHONY: run serve test setup venv web system db test-db lint bench clean

run: setup db
	$(BIN)/cadastre db upgrade
	$(BIN)/cadastre boundaries load
	$(BIN)/cadastre fixtures load
	$(BIN)/cadastre training reset --if-empty
	$(BIN)/cadastre run --host $(HOST) --port $(PORT)

# The production server (granian, 2 workers x 4 threads) over the same set-up as `run`.
serve: setup db
	$(BIN)/cadastre db upgrade
	$(BIN)/cadastre boundaries load
	$(BIN)/cadastre serve --host $(HOST) --port $(PORT)

test: setup test-db
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: system venv web

system:
	@scripts/setup-system.sh $(if $(filter test,$(MAKECMDGOALS)),--test,)

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

web: web/node_modules/.installed

web/node_modules/.installed: web/package.json
	cd web && npm install --no-audit --no-fund --loglevel=error
	@touch $@

db:
	@scripts/ensure-db.sh $(DB_NAME)
	@scripts/ensure-db.sh $(TRAINING_DB_NAME)

test-db:
	@scripts/ensure-db.sh $(TEST_DB_NAME)

lint: venv
	$(BIN)/ruff check .

bench: setup test-db
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) web/node_modules
