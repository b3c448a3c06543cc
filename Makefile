# `make run`: install and start the app in demo mode.  `make test`: set up everything and run every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench clean

run: $(VENV)/.installed
	$(BIN)/icsoe init --demo
	$(BIN)/icsoe serve --host $(HOST) --port $(PORT)

test:
	./scripts/test

bench: $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	$(BIN)/python -m benchmarks

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
