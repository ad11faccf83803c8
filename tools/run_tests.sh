#!/usr/bin/env bash
# Set everything up (idempotent, see tools/install.sh), check the code style and run the test suite.
#   bash tools/run_tests.sh [pytest args]          # e.g. -m "not slow" for the fast loop
# The test modules run in a random order (POSEZOO_TEST_ORDER_SEED, drawn here unless set; printed
# in pytest's header so that a failing order can be replayed); learning tests use
# POSEZOO_TEST_SEED (default 0). The suite runs on every core (pytest-xdist, POSEZOO_TEST_WORKERS
# workers, default one per core; 0: one process), each test module whole on one worker
# (--dist loadfile: module-level state stays in one process) in the shuffled order, which
# --no-loadscope-reorder keeps (xdist would sort the modules by their number of tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
PY="${POSEZOO_VENV:-.venv}/bin/python"
echo "[posezoo tests] code style: ruff check (configuration in ruff.toml)"
"$PY" -m ruff check .
export PYTHONUNBUFFERED=1
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export POSEZOO_TEST_ORDER_SEED="${POSEZOO_TEST_ORDER_SEED:-$RANDOM}"
exec "$PY" -m pytest tests -ra -n "${POSEZOO_TEST_WORKERS:-auto}" --dist loadfile \
  --no-loadscope-reorder "$@"
