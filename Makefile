# The two commands: `make run` and `make test` (see README.md). Everything else is a step.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYTHONDONTWRITEBYTECODE := 1
LOCALES := -l vi -l zh_Hans -l zh_Hant -l en -l fr -l es
# Settings for commands run by `make test` outside pytest (tests set their own).
CHECK_ENV := SECRET_KEY=make-test-only-not-secret ALLOWED_HOSTS=127.0.0.1 DEBUG=0 \
	FIELD_ENCRYPTION_KEYS=bWFrZS10ZXN0LW9ubHktZmllbGQta2V5LW5vdHVzZWQ= BLIND_INDEX_KEY=make-test-only

.PHONY: help run test env system-deps lint typecheck migrations-check translations \
        deploy-check messages test-sqlite test-postgres test-browser restore-drill bench clean

help:
	@echo "make run   - set up, load the demo programme and serve it on http://127.0.0.1:8000/"
	@echo "make test  - lint, type check, migrations and translation checks, the suite on"
	@echo "             SQLite and PostgreSQL, and the browser tests"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

env: $(VENV)/.synced
	@scripts/system-deps.sh gettext
	@$(CHECK_ENV) $(PY) manage.py compilemessages --ignore '.venv/*' --ignore '.tools/*' -v0

run: env
	@mkdir -p var
	@test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@test -s var/field_encryption_key || $(PY) -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > var/field_encryption_key
	@test -s var/blind_index_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(32))" > var/blind_index_key
	@export DEBUG=0 SECURE_COOKIES=0 MFA_REQUIRED=0 ALLOWED_HOSTS=127.0.0.1,localhost SECRET_KEY="$$(cat var/secret_key)" \
		FIELD_ENCRYPTION_KEYS="$$(cat var/field_encryption_key)" BLIND_INDEX_KEY="$$(cat var/blind_index_key)"; \
	$(PY) manage.py migrate --noinput -v0; \
	$(PY) manage.py seed_demo; \
	$(PY) manage.py run_worker --name run-worker > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true' EXIT INT TERM; \
	echo; echo "Bloodline is serving at http://127.0.0.1:8000/  (Ctrl+C stops it and its worker)"; echo; \
	$(PY) manage.py runserver --insecure --noreload 127.0.0.1:8000

test: env
	@scripts/system-deps.sh gettext chromium fonts postgres
	@$(MAKE) --no-print-directory lint typecheck migrations-check translations deploy-check
	@$(MAKE) --no-print-directory test-sqlite test-postgres test-browser

lint: $(VENV)/.synced
	@echo "== ruff =="
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	@echo "== layers (import-linter: imports point down only, decision 0023) =="
	$(VENV)/bin/lint-imports --no-logo

typecheck: $(VENV)/.synced
	@echo "== mypy =="
	$(CHECK_ENV) $(PY) -m mypy .

migrations-check: $(VENV)/.synced
	@echo "== migrations =="
	$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run

translations: $(VENV)/.synced
	@echo "== translation catalogues =="
	$(CHECK_ENV) $(PY) manage.py check_translations

# Production settings (DEBUG off, HTTPS, a long random key) must pass Django's deploy check.
deploy-check: $(VENV)/.synced
	@echo "== deploy check (manage.py check --deploy) =="
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	BLIND_INDEX_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))')" \
	ALLOWED_HOSTS=blood.example.org DEBUG=0 \
	$(PY) manage.py check --deploy --fail-level WARNING

messages: $(VENV)/.synced
	$(CHECK_ENV) $(PY) manage.py makemessages $(LOCALES) --no-obsolete --no-location \
		--ignore '.venv/*' --ignore '.tools/*' --ignore 'bench/*' --ignore 'var/*'

test-sqlite: env
	@echo "== test suite on SQLite =="
	$(PY) -m pytest -n 2 -m "not browser" -q --durations=15

test-postgres: env
	@echo "== test suite on PostgreSQL (throwaway cluster) =="
	scripts/with-postgres.sh $(PY) -m pytest -n 2 -m "not browser" -q --durations=15

test-browser: env
	@echo "== browser tests (Playwright driving Debian's chromium) =="
	$(PY) -m pytest -m browser -q -p no:xdist

restore-drill: env
	@scripts/system-deps.sh postgres
	@scripts/restore-drill.sh

# Benchmarks B1-B4 (QUALITY.md, decision 0040): a generated tier on a throwaway PostgreSQL
# cluster, served by gunicorn; writes bench/results/<date>-<host>.{json,md}. Not part of `make test`.
TIER ?= T0
bench: env
	@scripts/system-deps.sh postgres
	@echo "== benchmarks, tier $(TIER) (throwaway PostgreSQL cluster) =="
	scripts/with-postgres.sh $(PY) -m bench.run --tier $(TIER) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) var staticfiles
