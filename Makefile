# Two commands: `make run` serves the app, `make test` runs the whole suite.
# Both create the virtual environment on first use and reinstall when pyproject.toml changes.
# `make test` also installs the JavaScript checkers (package-lock.json) with npm; `make run` needs
# no Node: the pages are served as they are, without a build step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

NPM ?= npm
NODE ?= node
NODE_BIN := node_modules/.bin

.PHONY: run test test-js docs-img bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

# ESLint, TypeScript and axe-core, exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed-run
	@echo "Gradscape: open http://$(HOST):$(PORT)/ in your browser (Ctrl+C stops it)"
	$(BIN)/gradscape --host $(HOST) --port $(PORT)

# Lint, type check and unit tests of static/js; the browser tests run under pytest.
JS_CHECKS = $(NODE_BIN)/eslint . && $(NODE_BIN)/tsc -p jsconfig.json \
  && $(NODE) --test --test-reporter=spec tests/js/*.test.js

test-js: node_modules/.installed
	$(JS_CHECKS)

test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/ruff check .
	$(JS_CHECKS)
	$(BIN)/python -m pytest

# Retake the screenshots of docs/ (teaching, every screen, the labs, the class gallery) from the
# pages themselves.
docs-img: $(VENV)/.installed-test
	GRADSCAPE_DOCS_IMG=1 $(BIN)/python -m pytest -q tests/browser/test_teaching.py \
	  tests/browser/test_devices.py tests/browser/test_projector.py \
	  tests/browser/test_optimizer_pack.py tests/browser/test_generalisation.py \
	  tests/browser/test_classroom.py tests/browser/test_stability_screens.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) node_modules build *.egg-info .pytest_cache .ruff_cache
