# Two commands for a fresh machine with Python 3.11 and make:
#   make demo   - the workstation with demo data (embedded SQLite, local central server)
#   make test   - the whole test suite
#   make bench NAME=sync_weak_link ARGS="--commands 1000"   - one benchmark (benchmarks/NAME.py)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint venv clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "needs python3.11 on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/workstation demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make bench NAME=<one of: $(basename $(notdir $(filter-out benchmarks/__init__.py,$(wildcard benchmarks/*.py))))> [ARGS=...]"; exit 2; }
	$(BIN)/python -m benchmarks.$(NAME) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV)
