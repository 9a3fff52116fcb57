# Serverless Lab Kit. On a fresh machine every target below does its own set-up (make setup) first.
# Settings are LAB_* variables, on the command line or in the environment: make up LAB_GATEWAY_PORT=4567
.DEFAULT_GOAL := help
PY ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
NOTEBOOKS ?= solutions/*.ipynb

.PHONY: help setup browser clients up down status lab demo check test bench docs docs-serve docs-notebooks clean labs trust

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 10

setup: $(STAMP)  ## create .venv and install requirements.txt (again only when it changes)

# pip byte-compiles what it installs but not the editable install of labkit: compileall does, or wherever
# PYTHONDONTWRITEBYTECODE is set every start of the local cloud compiles labkit from source (~0.15 s).
$(STAMP): requirements.txt pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: the kit needs Python 3.11 or newer; install it, or run: make PY=python3.11 setup")'
	@test -x $(PYTHON) || $(PY) -m venv $(VENV)
	@echo "Installing requirements.txt into $(VENV) (first time: a few minutes)…"
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(PYTHON) -m compileall -q labkit
	@touch $(STAMP)

browser:  ## install Chromium and certutil for the browser tests, if missing (apt-get; asks for nothing)
	@bash tools/install_browser.sh

up: setup site/index.html  ## start the local cloud in the background (waits until healthy, prints the endpoints)
	@$(PYTHON) -m compileall -q labkit  # files changed since setup (a git pull): compiled once, not at each start
	@$(PYTHON) -m labkit up

down: setup  ## stop the local cloud; its state is kept for the next make up
	@$(PYTHON) -m labkit down

status: setup  ## show the local cloud's components and endpoints
	@$(PYTHON) -m labkit status

trust: up  ## trust the local cloud's certificates in your browsers (needs certutil: libnss3-tools)
	@$(PYTHON) -m labkit trust

lab: setup site/index.html  ## start JupyterLab on labs/ (the student notebooks), pointed at the target (on local: make up first)
	@$(PYTHON) -m labkit lab

demo: up  ## run the finished workshop (solutions/ 00-11, the optional 13 on) on the local cloud, make check, then 12 cleans up
	@$(PYTHON) -m tools.run_notebooks $(filter-out %12-cleanup.ipynb,$(wildcard $(NOTEBOOKS)))
	@$(PYTHON) -m validators
	@$(PYTHON) -m tools.run_notebooks $(filter %12-cleanup.ipynb,$(wildcard $(NOTEBOOKS)))

check: setup  ## grade the deployment: table on screen, JSON, JUnit XML and CSV under reports/ (LAYER=… one layer)
	@$(PYTHON) -m validators $(foreach layer,$(LAYER),--layer $(layer))

grade: setup  ## grade a class: make grade ROSTER=roster.csv (gradebook and reports under reports/class/)
	@$(PYTHON) -m validators.grade $(if $(ROSTER),$(ROSTER),$(error make grade needs ROSTER=<file.csv>: a CSV with a 'learner' column, one learner per line))

# Two workers (pytest-xdist) keep both cores busy while tests wait on their clouds; a module, and the workshop's
# notebook and browser tests, stay on one worker (tests/conftest.py). TEST_JOBS=1 runs in one process.
TEST_JOBS ?= 2
clients:  ## install the JavaScript clients the tests drive (npm ci in tests/clients/node; node and npm if missing)
	@bash tools/install_node_clients.sh

test: setup browser clients  ## run the test suite (starts its own local clouds on free ports; drives Chromium and node)
	@$(PYTHON) -m pytest $(if $(filter-out 1,$(TEST_JOBS)),-n $(TEST_JOBS) --dist loadgroup)

bench: setup  ## run the benchmarks and print ratios against baselines measured in the same run
	@$(PYTHON) -m bench

labs: setup  ## regenerate labs/ from solutions/
	@$(PYTHON) -m tools.generate_labs

docs: setup  ## build the docs site into site/, English and Vietnamese (strict: a dead link or missing page fails)
	@NO_MKDOCS_2_WARNING=1 $(PYTHON) -m mkdocs build --strict --quiet
	@echo "built site/ (open site/index.html, or make up and http://localhost:$${LAB_GATEWAY_PORT:-4566}/_lab/docs/)"

# make up builds the docs site when its sources changed: the local cloud serves it at /_lab/docs/, where the checks'
# hints link. A site that does not build leaves the cloud to start without it (make docs says why).
# Not labs/: a learner's own edits there need no new site.
DOCS_SOURCES := mkdocs.yml tools/docs_hooks.py tools/notebook_markdown.py $(shell find docs -type f 2>/dev/null)
site/index.html: $(STAMP) $(DOCS_SOURCES)
	@echo "Building the docs site into site/ (served at /_lab/docs/)…"
	@NO_MKDOCS_2_WARNING=1 $(PYTHON) -m mkdocs build --strict --quiet 2>/dev/null || \
		echo "the docs site did not build: make docs says why; the local cloud starts without it"

DOCS_PORT ?= 8000
docs-serve: setup  ## serve the docs on http://127.0.0.1:8000/, rebuilt as you edit (DOCS_PORT=… for another port)
	@NO_MKDOCS_2_WARNING=1 $(PYTHON) -m mkdocs serve --strict --dev-addr 127.0.0.1:$(DOCS_PORT)

docs-notebooks: setup browser  ## rerun the solutions on a cloud of their own for the lab pages (stale copies; ALL=1: all)
	@$(PYTHON) -m tools.docs_notebooks $(if $(ALL),--all)

clean: down  ## stop the local cloud and delete its state, reports and built docs (keeps .venv)
	rm -rf "$(or $(LAB_STATE_DIR),.labcloud)" reports site .pytest_cache
