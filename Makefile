# Two commands do all the set-up on a fresh Debian/Ubuntu machine with Python 3.11+:
#   make report   render the example report to _output/report.html and report.pdf
#   make test     lint and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: report test lint system-deps clean

$(BIN)/reportkit: pyproject.toml
	./scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

system-deps:
	./scripts/system-deps.sh

report: $(BIN)/reportkit
	$(BIN)/reportkit render .

lint: $(BIN)/reportkit
	$(BIN)/ruff check src tests tools

test: lint
	./scripts/system-deps.sh test
	$(BIN)/pytest

clean:
	rm -rf _output _generated $(VENV)
