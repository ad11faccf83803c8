#!/usr/bin/env bash
# Distributed evaluation through torchrun (MMEngine's "pytorch" launcher, tools/dist_run.sh).
#   bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [tools/test.py options]
set -euo pipefail
exec bash "$(dirname "$0")/dist_run.sh" test.py "$3" "$1" "$2" --launcher pytorch "${@:4}"
