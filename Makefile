# 세션랩 — `make lab` opens the course, `make test` runs every test. Nothing here needs root.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.sessionlab-installed
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
UV     := $(shell grep -m1 '^uv==' requirements.lock)
NB     ?= $(wildcard notebooks/*.ipynb)
# e.g. make lab LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=
# As root (containers), JupyterLab refuses to start without --allow-root; the token stays on.
ROOTFLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: setup lab test ui-test lint unit notebooks execute rerun bench lock clean binder-link student html

setup: $(STAMP)

# uv (pinned in the lock) installs the lock in about 10 s, pip in about a minute. pip stays the
# fallback, e.g. where only a mirror set in pip.conf is reachable (uv does not read pip.conf).
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 이상이 필요합니다."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) $(UV) && $(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock \
		&& $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . \
		|| { $(PIP) -r requirements.lock && $(PIP) --no-deps -e . ; }
	$(BIN)/python tools/lab_settings.py
	@touch $@

lab: setup
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(ROOTFLAG) $(LAB_ARGS) notebooks/00_start_here.ipynb

# Test runs keep compiled bytecode (__pycache__, git-ignored) even where PYTHONDONTWRITEBYTECODE is set:
# without it every kernel recompiles the package and pytest rewrites every test module again (4 s a worker).
KEEP_PYC := PYTHONDONTWRITEBYTECODE=

# Test processes. Four, also on two cores: a quarter of a two-worker run was spent waiting (a cluster's
# failover, a browser restart, a timeout), and two more workers fill those waits for no extra CPU
# (benchmarks/README.md, finding 41). They need about 2 GiB, so tools/workers.py says 2 where less is
# free (a JupyterHub server's limit included). `make test WORKERS=2` to choose.
WORKERS ?= $(shell $(PYTHON) tools/workers.py)

# Lint, format check and types first (seconds), then every unit test and every notebook.
test: setup lint
	$(KEEP_PYC) $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile support/tests -m "not ui" \
		--nbval notebooks --nbval-sanitize-with tools/nbval_sanitize.cfg -q

# JupyterLab in headless Chromium (Playwright, the system Chromium): Restart Kernel and Run All from the
# UI on 00, 01, 02b and 99, a quiz click, a kernel shut down early. Screenshots in dist/ui/. About 3 minutes.
ui-test: setup
	$(KEEP_PYC) $(BIN)/python -m pytest support/tests/ui -m ui -q

# The same checks as .pre-commit-config.yaml: ruff lint, ruff format, mypy on the package.
lint: setup
	$(BIN)/ruff check support tools benchmarks conftest.py data
	$(BIN)/ruff format --check support tools benchmarks conftest.py data
	$(BIN)/mypy

unit: setup
	$(KEEP_PYC) $(BIN)/python -m pytest support/tests -m "not ui" -q

notebooks: setup
	$(KEEP_PYC) $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --nbval notebooks --nbval-sanitize-with tools/nbval_sanitize.cfg -q

# Re-execute notebooks in place (NB=notebooks/01_cookie_vs_session.ipynb for one).
execute: setup
	$(BIN)/python tools/execute_notebooks.py $(NB)

# Every notebook run twice in one kernel (a learner re-running all cells); about 2 minutes.
rerun: setup
	$(BIN)/python tools/run_twice.py $(NB)

# Every benchmark (about 30 minutes): start-up and latency, balancer overhead, multi-server strategies,
# and per-notebook, unit-test, make-test and fresh-clone times (median of 3, written to benchmarks/results.md).
bench: setup
	$(BIN)/python benchmarks/bench_course.py --whole --fresh
	$(BIN)/python benchmarks/bench_foundation.py
	$(BIN)/python benchmarks/bench_balancer.py
	$(BIN)/python benchmarks/bench_multi_server.py

# Re-pin everything after changing requirements.txt (writes requirements.lock and environment.yml).
lock: setup
	$(BIN)/python tools/lock.py

clean:
	rm -rf $(VENV)

# The Binder badge and a JupyterHub nbgitpuller link, from [tool.sessionlab] in pyproject.toml.
HUB ?= https://hub.example.edu
binder-link:
	$(PYTHON) tools/binder_link.py --hub $(HUB)

# Student edition in dist/student: solutions removed, exercise outputs cleared, everything else kept.
student: setup
	rm -rf dist/student
	$(BIN)/python tools/student_edition.py dist/student

# Read-only web edition in dist/html: every notebook with its stored outputs, a table of contents.
html: setup
	rm -rf dist/html
	$(BIN)/python tools/html_edition.py dist/html
