# Two entry points (README): `make demo` and `make test`. Both bootstrap a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test venv sandbox-tool data notebooks release submissions autograde feedback report figures clean

demo: release submissions autograde feedback report   ## release + autograde examples + feedback + report

test: venv data                                        ## the project's test suite
	$(BIN)/python -m pytest -q

venv: $(VENV)/.installed sandbox-tool
$(VENV)/.installed: requirements.lock requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	touch $@

# Student code is graded under bubblewrap (Debian package); installed here when missing and
# we may (root with apt-get). Otherwise install it yourself: autograde refuses to run without it.
sandbox-tool:
	@command -v bwrap >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null); } || \
	  { echo "bubblewrap (bwrap) is required: apt-get install bubblewrap"; exit 1; }

# Assignments and their data modules are found from source/ and the unit tables (no lists here).
ASSIGNMENTS_OF = $(BIN)/python -c 'from grader_tests.framework.table import assignments; print(*assignments())'
DATA_MODULES_OF = $(BIN)/python -c 'from grader_tests.framework.table import data_modules; print(*data_modules())'

data: venv                                             ## offline stand-ins and feature caches
	for m in $$($(DATA_MODULES_OF)); do $(BIN)/python -m data.$$m build || exit 1; done

notebooks: venv                                        ## source/<a>/<a>.py <-> .ipynb, points and hidden tests from the unit tables
	$(BIN)/python tools/notebooks.py sync

release: venv data notebooks                           ## source/ -> release/ (student versions), every assignment
	$(BIN)/python tools/ship_data_modules.py            # data/ loaders, handouts/ -> source/<a>/ (TABLE.ships)
	for a in $$($(ASSIGNMENTS_OF)); do $(BIN)/nbgrader generate_assignment $$a --force || exit 1; done

submissions: venv                                      ## example submissions under submitted/
	$(BIN)/python tools/make_example_submissions.py

autograde: venv data                                   ## every submission of every assignment, one process per core
	$(BIN)/python tools/course.py autograde

feedback: venv
	for a in $$($(ASSIGNMENTS_OF)); do $(BIN)/nbgrader generate_feedback $$a --force || exit 1; done

report: venv                                           ## per-student, per-unit score tables
	$(BIN)/python tools/course.py report

figures: venv data                                     ## regenerate the model-identification figure
	$(BIN)/python tools/train_identification_curves.py

clean:
	rm -rf autograded feedback reports gradebook.db data/cache
