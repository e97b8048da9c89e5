# The README's two commands: `make run` and `make test`. Everything else serves them.
# The machine's own Python 3.11 when it has one that can make a venv: Debian's is built with
# profile-guided and link-time optimisation, and serves a check-in about a fifth faster than
# a pyenv build without --enable-optimizations (bench/README.md). Otherwise python3.
SYSTEM_PYTHON := $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null && echo /usr/bin/python3.11)
PYTHON ?= $(or $(SYSTEM_PYTHON),python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app webapp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 5000

.PHONY: run test test-sqlite test-pg sqlite-pass browser-pass pg-pass install install-test chromium redis translations \
	messages migrate demo bench lighthouse lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations chromium redis

# Babel catalogues are kept as .po in git; the binary .mo files are built here.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations

# Re-extract every _() string and merge it into the English catalogue (a developer's step).
# --ignore-dirs replaces Babel's default, which also skips folders starting with "_"
# (templates/_macros). --no-wrap keeps one line per message, so a diff shows what changed.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--ignore-dirs '.* __pycache__' --no-wrap -o webapp/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -i webapp/translations/messages.pot -d webapp/translations

# Debian's Chromium drives the browser tests; Playwright never downloads a browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# Debian's Redis for the rate-limit test against two gunicorn workers (tests/redis/throwaway.sh
# starts a throwaway server from it); Valkey, which speaks the same protocol, will do too.
# Installed here, before the passes start side by side, so no two apt-get runs meet.
redis:
	@command -v redis-server >/dev/null 2>&1 || command -v valkey-server >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q redis-server; }

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

# The Procfile's two processes side by side: gunicorn (web) and the reminder dispatcher
# (notify); Ctrl-C stops both. They find gunicorn and flask in .venv through PATH. honcho gives
# each later process PORT+100, so the passkey origin is fixed here for both (as web's own PORT
# would make it), unless WEBAUTHN_ORIGIN is set.
run: demo
	@echo "Nära is served on http://localhost:$(PORT) by gunicorn, with the reminder dispatcher"
	@echo "beside it (stop both with Ctrl-C)"
	PATH="$(CURDIR)/$(BIN):$$PATH" WEBAUTHN_ORIGIN="$${WEBAUTHN_ORIGIN:-http://localhost:$(PORT)}" \
		$(BIN)/honcho start --port $(PORT)

# Three passes side by side: the Flask-client tests on SQLite (beside a throwaway Redis from
# tests/redis/throwaway.sh, for the rate limits shared by gunicorn's workers), the browser
# tests (on SQLite, Debian's Chromium), and the Flask-client tests on a throwaway PostgreSQL
# cluster made and removed by tests/pg/throwaway.sh. Three on two cores keeps both busy: the browser pass waits
# on Chromium much of its time. make prints each pass's report whole when it ends and fails
# if any does.
SQLITE_PASS  := tests/redis/throwaway.sh $(BIN)/pytest --ignore=tests/browser
BROWSER_PASS := $(BIN)/pytest tests/browser
PG_PASS      := tests/pg/throwaway.sh $(BIN)/pytest --ignore=tests/browser

test: install-test
	@echo "make test: the SQLite, browser and PostgreSQL passes side by side;"
	@echo "           each report prints when its pass ends"
	@$(MAKE) --no-print-directory -j3 --output-sync=target sqlite-pass browser-pass pg-pass

test-sqlite: install-test
	tests/redis/throwaway.sh $(BIN)/pytest

test-pg: install-test
	$(PG_PASS)

# The passes without the install step (which must not run twice at once).
sqlite-pass:
	@echo "=== SQLite pass: $(SQLITE_PASS)"
	@$(SQLITE_PASS)

browser-pass:
	@echo "=== Browser pass: $(BROWSER_PASS)"
	@$(BROWSER_PASS)

pg-pass:
	@echo "=== PostgreSQL pass: $(PG_PASS)"
	@$(PG_PASS)

# ruff (lint and format) on the code and its tests; mypy, strict, on webapp/ ([tool.mypy] in
# pyproject.toml).
lint: install-test
	$(BIN)/ruff check webapp tests bench
	$(BIN)/ruff format --check webapp tests bench
	$(BIN)/mypy webapp

# Lighthouse from npm, pinned, in a folder of the bench's own (12.2.3 runs on Node 20); it
# drives Debian's Chromium (bench/lighthouse.py).
LIGHTHOUSE_VERSION := 12.2.3
LIGHTHOUSE := bench/.lighthouse/node_modules/.bin/lighthouse

$(LIGHTHOUSE):
	npm install --prefix bench/.lighthouse --no-audit --no-fund --loglevel=error \
		lighthouse@$(LIGHTHOUSE_VERSION)

lighthouse: $(LIGHTHOUSE)
	@$(LIGHTHOUSE) --version | grep -qx '$(LIGHTHOUSE_VERSION)' || { rm -rf bench/.lighthouse && \
		$(MAKE) --no-print-directory $(LIGHTHOUSE); }

bench: install-test chromium lighthouse
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q wrk; }
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/lighthouse.py
	$(BIN)/python bench/push.py

clean:
	rm -rf $(VENV) instance bench/.lighthouse
