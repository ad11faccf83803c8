#!/usr/bin/env bash
# Distributed training through torchrun (MMEngine's "pytorch" launcher, tools/dist_run.sh).
#   bash tools/dist_train.sh CONFIG GPUS [tools/train.py options]
# Multi-node: NNODES=2 NODE_RANK=0 MASTER_ADDR=host0 PORT=29500 bash tools/dist_train.sh CONFIG 8
# On a machine without CUDA each process trains on CPU with the gloo backend.
set -euo pipefail
exec bash "$(dirname "$0")/dist_run.sh" train.py "$2" "$1" --launcher pytorch "${@:3}"
