# Two entry points: `make run` shows the tracker, `make test` runs every check.
# Both create .venv on first use; only Python 3.11+ and make are needed. `make run` installs
# what running needs and nothing more; the test tools come with the first `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test

.PHONY: run test lint types unit bench docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "error: wrrtrack needs Python 3.11 or newer; set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/wrrtrack --no-pager list
	@echo
	$(BIN)/wrrtrack --no-pager show wrr103-7
	@echo
	$(BIN)/wrrtrack validate
	@echo
	$(BIN)/wrrtrack report --lang en | head -n 40

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint types unit

docs: $(STAMP)
	WRRTRACK_UPDATE_DOCS=1 $(BIN)/pytest -q tests/test_docs.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
