# Two commands on a fresh Debian machine with Python 3.11:
#   make run    installs the app in .venv and starts it on the embedded SQLite database
#   make test   installs the test tools (and Debian's chromium, postgresql, nginx, pgbouncer,
#               nodejs + npm, the npm package of the test OpenID Connect provider and axe-core)
#               and runs everything
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= localhost
# The test OpenID Connect provider (tests/oidc/): npm's oidc-provider, pinned by its lockfile.
OIDC_MODULES := tests/oidc/node_modules/.package-lock.json
# axe-core for the accessibility test (tests/a11y/): pinned by its lockfile.
A11Y_MODULES := tests/a11y/node_modules/.package-lock.json

.PHONY: install install-test run test lint clean-db

# Debian's own python3 needs python3-venv for ensurepip; install it when missing (as root).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); apt-get install -y -qq python3-venv \
	  && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	bash scripts/install-system-test-deps.sh
	$(MAKE) --no-print-directory $(OIDC_MODULES) $(A11Y_MODULES)

# Without npm (no root to install it) the OIDC test is skipped — and fails in CI.
$(OIDC_MODULES): tests/oidc/package.json tests/oidc/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error; \
	else echo "npm absent : le test OIDC sera sauté (échec en CI)."; fi

# Without npm the accessibility test (axe-core) is skipped — and fails in CI.
$(A11Y_MODULES): tests/a11y/package.json tests/a11y/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error; \
	else echo "npm absent : le test d'accessibilité sera sauté (échec en CI)."; fi

run: install
	$(BIN)/tne-dash run --port $(PORT) --address $(ADDRESS)

test: install-test
	$(BIN)/ruff check tne_dash tests app.py serve.py pages deploy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

clean-db:
	rm -f data/tne_dash.sqlite data/tne_dash.sqlite-wal data/tne_dash.sqlite-shm
