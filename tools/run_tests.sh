#!/usr/bin/env bash
# Set everything up (idempotent, see tools/install.sh) and run the test suite.
#   bash tools/run_tests.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
export PYTHONUNBUFFERED=1
exec "${POSEZOO_VENV:-.venv}/bin/python" -m pytest tests -ra "$@"
