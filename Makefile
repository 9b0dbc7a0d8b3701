# Two entry points (README): `make demo` and `make test`. Both bootstrap a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ASSIGNMENTS := recurrent_cells sparse_autoencoder
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test venv sandbox-tool data release submissions autograde feedback report figures clean

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

data: venv                                             ## offline stand-ins and MFCC caches
	$(BIN)/python -m data.speech_commands build
	$(BIN)/python -m data.natural_patches build

release: venv data                                     ## source/ -> release/ (student versions)
	for a in $(ASSIGNMENTS); do $(BIN)/nbgrader generate_assignment $$a --force || exit 1; done

submissions: venv                                      ## example submissions under submitted/
	$(BIN)/python tools/make_example_submissions.py

autograde: venv data                                   ## every submission, one process per core
	for a in $(ASSIGNMENTS); do $(BIN)/python tools/course.py autograde $$a || exit 1; done

feedback: venv
	for a in $(ASSIGNMENTS); do $(BIN)/nbgrader generate_feedback $$a --force || exit 1; done

report: venv                                           ## per-student, per-unit score table
	for a in $(ASSIGNMENTS); do $(BIN)/python tools/course.py report $$a || exit 1; done

figures: venv data                                     ## regenerate the model-identification figure
	$(BIN)/python tools/train_identification_curves.py

clean:
	rm -rf autograded feedback reports gradebook.db data/cache
