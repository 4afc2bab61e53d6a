# Two commands for a fresh machine with Python 3.11 and make:
#   make demo   - the workstation with demo data (embedded SQLite, local central server)
#   make test   - the whole test suite, in a random order (the seed is in pytest's header;
#                 rerun an order with: make test PYTEST_ARGS="-p randomly --randomly-seed=N")
#   make bench NAME=sync_weak_link ARGS="--commands 1000"   - one benchmark (benchmarks/NAME.py)
# Both install from requirements-lock.txt (exact versions with hashes) into a fresh .venv;
# `make lock` updates the lock after a change to pyproject.toml's dependencies
# (`make lock LOCK_ARGS=--upgrade` moves every package to its newest version).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
LOCK := requirements-lock.txt
STAMP := $(VENV)/.installed
PROJECT_STAMP := $(VENV)/.project
PYTEST_ARGS ?=
LOCK_ARGS ?=

.PHONY: demo test bench lint venv lock clean

# A fresh environment whenever the lock changes: exactly the locked packages, nothing left over.
$(STAMP): $(LOCK)
	@test -n "$(PYTHON)" || { echo "needs python3.11 on PATH"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	@echo "installing $$(grep -c '^[A-Za-z0-9]' $(LOCK)) locked packages from $(LOCK) into $(VENV)..."
	$(BIN)/python -m pip install --require-hashes --progress-bar on -r $(LOCK)
	touch $(STAMP)

# The project itself (editable, no dependencies: they all come from the lock).
$(PROJECT_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --no-deps --no-build-isolation --quiet -e .
	$(BIN)/python .ci/check-lock.py
	touch $(PROJECT_STAMP)

venv: $(PROJECT_STAMP)

demo: $(PROJECT_STAMP)
	$(BIN)/workstation demo

test: $(PROJECT_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(PROJECT_STAMP)
	@test -n "$(NAME)" || { echo "usage: make bench NAME=<one of: $(basename $(notdir $(filter-out benchmarks/__init__.py,$(wildcard benchmarks/*.py))))> [ARGS=...]"; exit 2; }
	$(BIN)/python -m benchmarks.$(NAME) $(ARGS)

lint: $(PROJECT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Resolve pyproject.toml's dependencies (dev extra and the build backend included) for
# CPython 3.11 on Linux, keeping the current pins where they still fit.
lock:
	@test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/python -m pip install uv; }
	printf 'setuptools>=77\nwheel\n' | $(BIN)/uv pip compile --quiet pyproject.toml - --extra dev \
	  --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	  --custom-compile-command "make lock" --output-file $(LOCK) $(LOCK_ARGS)

clean:
	rm -rf $(VENV)
