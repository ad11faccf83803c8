"""Shared helpers of the skeleton tests: the seed-format LSTM trained on the synthetic data set."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from shared_data import REPO_ROOT, skip_or_fail

SEED_SYNTHETIC_CFG = REPO_ROOT / 'configs' / 'skeleton' / 'lstm' / \
    'lstm_1xb16-20e_synthetic-mediapipe33-30f.py'


def train_seed_lstm(work_dir: Path, seed_options: list, seed: int = 0, epochs: int = 20) -> Path:
    """Train the seed LSTM (MediaPipe-33, 30-frame windows) on a fresh synthetic seed-format data
    set (made with ``seed``) with tools/train.py (``seed_options``: the seed and deterministic
    mode; no loader workers, one thread); returns the last checkpoint."""
    sys.path.insert(0, str(REPO_ROOT / 'tools' / 'misc'))
    from make_skeleton_dataset import make_dataset
    data = work_dir / 'data'
    make_dataset(str(data), num_train=4, num_val=2, seed_clips=8, seed=seed)
    root = data / 'seed'
    options = [f'train_dataloader.dataset.ann_file={root / "train"}',
               f'val_dataloader.dataset.ann_file={root / "val"}',
               f'test_dataloader.dataset.ann_file={root / "val"}',
               f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
               *seed_options]
    options += [f'{d}.{o}' for d in ('train_dataloader', 'val_dataloader', 'test_dataloader')
                for o in ('num_workers=0', 'persistent_workers=False')]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, 'tools/train.py', str(SEED_SYNTHETIC_CFG), '--work-dir',
                           str(work_dir / 'lstm'), '--cfg-options', *options], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ckpt = work_dir / 'lstm' / f'epoch_{epochs}.pth'
    assert ckpt.is_file(), ckpt
    return ckpt


def two_action_recording(first: str, second: str, frames_each: int, seed: int = 0) -> np.ndarray:
    """Seed-format landmarks (2 * frames_each, 33, 4): one synthetic person doing ``first`` then
    another doing ``second``."""
    from posezoo.action.skeleton.synthetic import make_person, person_to_seed_landmarks
    rng = np.random.default_rng(seed)
    return np.concatenate([
        person_to_seed_landmarks(make_person(action, frames_each, rng), rng)
        for action in (first, second)
    ])


def require_mediapipe():
    """The ``mediapipe`` module (extra ``posezoo[mediapipe]``, installed by tools/install.sh).
    Missing: a skip, or a failure under ``POSEZOO_REQUIRE_SHARED=1`` (``.ci/run``)."""
    from posezoo.action.skeleton.mediapipe_pose import import_mediapipe
    try:
        return import_mediapipe()
    except ImportError as e:
        skip_or_fail(str(e))
