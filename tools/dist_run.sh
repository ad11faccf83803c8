#!/usr/bin/env bash
# One tools/ script on GPUS processes per node through torchrun (MMEngine's "pytorch" launcher):
# the launcher behind tools/dist_train.sh and tools/dist_test.sh.
#   bash tools/dist_run.sh SCRIPT GPUS [SCRIPT's arguments]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT from the environment.
set -euo pipefail
SCRIPT=$1
GPUS=$2

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
python -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$GPUS" \
    --master_port="${PORT:-29500}" \
    "$(dirname "$0")/$SCRIPT" "${@:3}"
