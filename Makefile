# arms-metrics: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin
INPUT  ?= sample_data
SITE   ?= site
WORK   ?= work
QUARTER ?=
QUARTER_FLAG := $(if $(QUARTER),--quarter $(QUARTER),)
# test files spread over one pytest-xdist worker per CPU (a file's tests stay together, so
# its module fixtures are built once); JOBS=0 runs them in one process, in order
JOBS   ?= auto
PARALLEL := $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile)
export UV_PYTHON := $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help setup browser-tools run test test-fast lint format docs screenshots benchmark sample clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(UV):
	@$(PYTHON) -m venv $(TOOLS) 2>/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && echo "make: installing python3-venv (Debian) to create .tools/" \
	  && apt-get update -qq >/dev/null && apt-get install -y -qq python3-venv >/dev/null \
	  && $(PYTHON) -m venv --clear $(TOOLS); } \
	  || { echo "make: $(PYTHON) cannot create a virtual environment; install python3-venv (Debian: sudo apt-get install python3-venv)" >&2; exit 1; }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

# --compile-bytecode: every dependency's .pyc written once here, so no command compiles
# pandas, pandera, scipy or polars from source at start-up (about 2.5 s of a run's imports
# where PYTHONDONTWRITEBYTECODE is set, or the venv is read-only, and Python keeps no .pyc)
$(VENV)/.synced: $(UV) uv.lock pyproject.toml Makefile
	$(UV) sync --locked --quiet --compile-bytecode
	touch $@

setup: $(VENV)/.synced  ## create .venv from uv.lock

browser-tools:  ## chromium, Java and the npm packages the browser tests use
	bash tests/browser/install-tools.sh

run: setup  ## build the site from sample_data/ into site/
	$(BIN)/arms-metrics run --input $(INPUT) --site $(SITE) --work $(WORK) $(QUARTER_FLAG)

test: setup browser-tools  ## run the whole test suite (installs what it needs first)
	$(BIN)/python -m pytest -q $(PARALLEL)

test-fast: setup  ## the tests without the browser
	$(BIN)/python -m pytest -q -m "not browser" $(PARALLEL)

lint: setup  ## ruff and sqlfluff
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/sqlfluff lint pipelines/quarterly/sql
	$(BIN)/lint-imports

format: setup  ## apply ruff formatting and fixes
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

docs: setup  ## regenerate docs/inputs.md from the input schemas
	$(BIN)/python -m arms_metrics.ingest.inputs_doc > docs/inputs.md.tmp
	mv docs/inputs.md.tmp docs/inputs.md

screenshots: run browser-tools  ## PNG screenshots of every page kind (desktop, phone)
	$(BIN)/python -m tests.browser.screenshots $(SITE) screenshots

benchmark: setup  ## time per stage and peak memory at scales 0.05, 1 and 10, beside bare DuckDB
	$(BIN)/python benchmarks/run.py

sample: setup  ## regenerate sample_data/ (see sample_data/README.md)
	$(BIN)/arms-metrics sample --out sample_data --scale 0.05 --seed 20260227

clean:  ## remove built and generated files
	rm -rf $(SITE) $(WORK) screenshots .pytest_cache
