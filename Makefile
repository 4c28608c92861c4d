# Two entry points: `make run` shows the tracker, `make test` runs every check.
# Both create .venv on first use; only Python 3.11+ and make are needed. `make run` installs
# what running needs and nothing more; the test tools come with the first `make test`.
#
# `make test` (what CI runs): lint, types, then every test, spread over the machine's cores
# by pytest-xdist. `make check`: lint, types and the tests not marked `slow` (those that start
# processes, build a wheel or drive a terminal), for a quick answer while working; it is not
# a substitute for `make test` before a commit. Pass options to pytest with
# PYTEST_ARGS, e.g. `make check PYTEST_ARGS=tests/cli/test_reading.py`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test
# One worker per core; `worksteal` hands a waiting worker part of a busy one's queue, so a few
# long tests do not leave a core idle at the end of the run.
XDIST := -n auto --dist worksteal
PYTEST_ARGS ?=

.PHONY: run test check lint types unit fast bench docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "error: wrrtrack needs Python 3.11 or newer; set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# No `pip install --upgrade pip` first: the pip of Python 3.11+ installs editable projects
# from pyproject.toml as they are, and the upgrade cost a third of the time of a new .venv.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP): pyproject.toml | $(BIN)/python
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
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

fast: $(STAMP)
	$(BIN)/pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# Lint and types first: they take seconds and fail the commonest mistakes before the tests.
test: lint types unit

check: lint types fast

docs: $(STAMP)
	WRRTRACK_UPDATE_DOCS=1 $(BIN)/pytest -q tests/promises/test_docs.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
