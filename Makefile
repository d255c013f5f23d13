# Two commands do all the set-up on a fresh Debian/Ubuntu machine with Python 3.11+:
#   make report   render the example report to _output/report.html and report.pdf
#   make test     lint and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

# Real Quarto for the tests of the Quarto path, from the kit beside the project (CI has it);
# without the kit those tests skip and say why.
QUARTO_KIT ?= ../shared/tools/quarto

.PHONY: report test lint system-deps quarto clean

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
	$(BIN)/ruff check src tests tools bench

quarto:
	@if [ -f $(QUARTO_KIT)/install.sh ]; then bash $(QUARTO_KIT)/install.sh .tools/quarto; \
	else echo "no Quarto kit at $(QUARTO_KIT): the Quarto tests will skip"; fi

test: lint quarto
	./scripts/system-deps.sh test
	npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
	$(BIN)/pytest

clean:
	rm -rf _output _generated .quarto $(VENV)
