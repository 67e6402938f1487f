# Convergence: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint loadtest messages clean

# Re-installs only when pyproject.toml changes (a second `make install` takes well under 1 s).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py import_bank fixtures/banks/itot-convergence.yaml
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ with a background-job worker  (Ctrl+C stops both)"
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	STATIC_COLLECTED=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Static checks: ruff (with its security rules, S), bandit, mypy, Django's own checks, no
# missing migration, and django-upgrade finding nothing left to modernise for Django 5.2.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive assessments convergence bench
	$(BIN)/django-upgrade --target-version 5.2 $$(git ls-files '*.py')
	$(BIN)/mypy .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

# The short workshop load test CI runs: 50 phones against gunicorn, reconciled with the
# database, then again with the server killed and restarted mid-run. Exits 1 on an error or a
# lost or duplicated answer; latency is reported, not asserted (CI machines vary).
# The kill run goes to every database in LOADTEST_DATABASES; the plain run, which the kill
# run repeats with more in it, only to the first (CI stays well under its 20 minutes).
LOADTEST_DATABASES ?= sqlite
LOADTEST_FIRST = $(firstword $(subst $(comma), ,$(LOADTEST_DATABASES)))
comma := ,
loadtest: install
	$(BIN)/python bench/loadtest.py --databases $(LOADTEST_FIRST) --participants 50 --think 0.3,0.8 --ramp 5 --check
	$(BIN)/python bench/loadtest.py --databases $(LOADTEST_DATABASES) --participants 50 --think 0.3,0.8 --ramp 5 --kill-after 15 --check

# After changing texts: new entries in the German catalogue (locale/de), then the compiled
# catalogues, which are committed so that a fresh clone needs no gettext (docs/languages.md).
messages: install
	$(BIN)/python manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles --ignore=test-artifacts --ignore=media
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
