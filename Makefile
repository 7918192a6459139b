# Two commands: `make run` serves the app, `make test` runs the whole suite.
# Both create the virtual environment on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test docs-img bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@echo "Gradscape: open http://$(HOST):$(PORT)/ in your browser (Ctrl+C stops it)"
	$(BIN)/gradscape --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Retake the screenshots of docs/teaching.md from the presets themselves.
docs-img: $(VENV)/.installed-test
	GRADSCAPE_DOCS_IMG=1 $(BIN)/python -m pytest -q tests/browser/test_teaching.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
