# The README's two commands: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app webapp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 5000

.PHONY: run test install install-test chromium translations messages migrate demo bench lint clean

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

install-test: $(VENV)/.installed-test translations chromium

# Babel catalogues are kept as .po in git; the binary .mo files are built here.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations

# Re-extract every _() string and merge it into the English catalogue (a developer's step).
# --ignore-dirs replaces Babel's default, which also skips folders starting with "_"
# (templates/_macros).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--ignore-dirs '.* __pycache__' -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations

# Debian's Chromium drives the browser tests; Playwright never downloads a browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo
	@echo "Nära is served on http://localhost:$(PORT) (stop with Ctrl-C)"
	PORT=$(PORT) $(FLASK) run --host localhost --port $(PORT)

test: install-test
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check webapp tests bench

bench: install-test
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q wrk; }
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) instance
