# Two entry points (README): `make demo` and `make test`. Both bootstrap a fresh machine.
SHELL := /bin/bash
# .venv's interpreter: Python 3.11 (3.11.2 or newer) or 3.12. By default the first of python3.11,
# python3.12, python3 on PATH that is one; pick one with `make demo PYTHON=/usr/bin/python3.11`.
PYTHON ?= python3.11
PYTHONS := $(if $(filter file,$(origin PYTHON)),$(PYTHON) python3.12 python3,$(PYTHON))
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test check venv sandbox-tool browser-tool database-tool data notebooks release submissions autograde feedback report figures clean

demo: release submissions roster autograde feedback report   ## release + autograde examples + feedback + report

test: venv data browser-tool database-tool             ## the project's test suite
	$(BIN)/python -m pytest -q --durations=20   # and the 20 slowest, to keep the budget in view

check: venv data                                       ## the fast tier for developers: lint, the grader in process (~2 min)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m check -n 2

venv: $(VENV)/.installed sandbox-tool
# A .venv without pip (made while the interpreter's venv module was missing) is made again. The
# venv module is Debian's pythonX.Y-venv: installed here when missing and we may (root, apt-get).
$(VENV)/.installed: requirements.lock requirements.txt
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); \
	  for py in $(PYTHONS); do $$py -c 'import sys; sys.exit(not (3, 11, 2) <= sys.version_info[:3] < (3, 13))' \
	    2>/dev/null && break; py=; done; \
	  [ -n "$$py" ] || { echo "no Python 3.11 (3.11.2 or newer) or 3.12 among: $(PYTHONS); pick one with make PYTHON=/path/to/python3.11"; exit 1; }; \
	  v=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  $$py -c 'import ensurepip' 2>/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    (apt-get update -qq && apt-get install -y -qq python$$v-venv >/dev/null); } || \
	    { echo "$$py has no venv module (ensurepip): apt-get install python$$v-venv"; exit 1; }; \
	  echo "$$py -m venv $(VENV)   # $$($$py -V 2>&1)"; $$py -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	touch $@

# Student code is graded under bubblewrap (Debian package); installed here when missing and
# we may (root with apt-get). Otherwise install it yourself: autograde refuses to run without it.
sandbox-tool:
	@command -v bwrap >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null); } || \
	  { echo "bubblewrap (bwrap) is required: apt-get install bubblewrap"; exit 1; }

# The TA-workflow test drives the formgrader and the report pages in a headless Chromium
# (Debian's chromium + chromium-driver, used through selenium; nothing is downloaded at run
# time). Installed here when missing and we may (root with apt-get); otherwise that test skips.
browser-tool:
	@{ command -v chromium >/dev/null && command -v chromedriver >/dev/null; } || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null); } || \
	  echo "chromium/chromedriver not installed (apt-get install chromium chromium-driver): the browser test will skip"

# The multi-machine test grades into a real PostgreSQL server it starts itself (Debian's
# postgresql: initdb/pg_ctl on a loopback port). Installed here when missing and we may.
database-tool:
	@{ command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null); } || \
	  echo "PostgreSQL (initdb, pg_ctl) not installed (apt-get install postgresql): the PostgreSQL test will skip"

# Assignments and their data modules are found from source/ and the unit tables (no lists here).
ASSIGNMENTS_OF = $(BIN)/python -c 'from grader_tests.framework.contract.table import assignments; print(*assignments())'
DATA_MODULES_OF = $(BIN)/python -c 'from grader_tests.framework.contract.table import data_modules; print(*data_modules())'

data: venv                                             ## offline stand-ins and feature caches
	for m in $$($(DATA_MODULES_OF)); do $(BIN)/python -m data.$$m build || exit 1; done

notebooks: venv                                        ## source/<a>/<a>.py <-> .ipynb, points and hidden tests from the unit tables
	$(BIN)/python tools/notebooks.py sync

release: venv data notebooks                           ## source/ -> release/ (student versions), every assignment
	$(BIN)/python tools/ship_data_modules.py            # data/ loaders, handouts/ -> source/<a>/ (TABLE.ships)
	for a in $$($(ASSIGNMENTS_OF)); do $(BIN)/nbgrader generate_assignment $$a --force || exit 1; done

submissions: venv                                      ## example students submit through the exchange (term.toml), collected into submitted/
	$(BIN)/python tools/make_example_submissions.py

.PHONY: roster
roster: venv                                           ## roster.csv -> the gradebook's students (names in the formgrader)
	$(BIN)/nbgrader db student import roster.csv

autograde: venv data                                   ## every submission of every assignment, one process per core
	$(BIN)/python tools/course.py autograde

feedback: venv                                         ## feedback pages, released to the example students through the exchange
	for a in $$($(ASSIGNMENTS_OF)); do $(BIN)/nbgrader generate_feedback $$a --force || exit 1; done
	$(BIN)/python tools/course.py publish $$($(ASSIGNMENTS_OF))

report: venv                                           ## score tables, class report reports/<a>/index.html, LMS export
	$(BIN)/python tools/course.py report

figures: venv data                                     ## regenerate the model-identification figure
	$(BIN)/python tools/train_identification_curves.py

clean:
	rm -rf autograded feedback reports gradebook.db data/cache
