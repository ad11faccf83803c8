#!/usr/bin/env bash
# posezoo quickstart: set everything up (idempotent), then on the bundled COCO sample
# (data/coco_sample) train BK-Pose for a short schedule, evaluate it with the COCO metric and
# run inference on a sample image, saving a visualisation.
#   bash tools/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
PY="${POSEZOO_VENV:-.venv}/bin/python"
CONFIG=configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py
WORK_DIR=${WORK_DIR:-work_dirs/quickstart}
IMAGE=data/coco_sample/train2017/000000030752.jpg  # a training image: the short schedule overfits them
VIS="$WORK_DIR/vis_$(basename "$IMAGE")"
export PYTHONUNBUFFERED=1

echo "[quickstart] 1/3 training BK-Pose on data/coco_sample (CPU, a few minutes) -> $WORK_DIR"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
CHECKPOINT="$WORK_DIR/$(cat "$WORK_DIR/last_checkpoint" | xargs basename)"

echo "[quickstart] 2/3 evaluating $CHECKPOINT with the COCO keypoint metric"
"$PY" tools/test.py "$CONFIG" "$CHECKPOINT" --work-dir "$WORK_DIR/test"

echo "[quickstart] 3/3 inference on $IMAGE"
"$PY" demo/pose_demo.py "$CONFIG" "$CHECKPOINT" "$IMAGE" --out-file "$VIS"

# the summary: the COCO metrics tools/test.py saved, and the visualisation
METRICS=$(ls -t "$WORK_DIR"/test/*/*.json | head -n 1)
"$PY" - "$METRICS" "$VIS" <<'PYEOF'
import json, sys
metrics = json.load(open(sys.argv[1]))
print(f"[quickstart] done: COCO AP {metrics['coco/AP']:.3f} (AP50 {metrics['coco/AP .5']:.3f}, "
      f"AR {metrics['coco/AR']:.3f}) on the 8 sample images ({sys.argv[1]}); "
      f"visualisation: {sys.argv[2]}")
PYEOF
