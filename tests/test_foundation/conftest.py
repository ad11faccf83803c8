"""Fixtures of the foundation tests: a short real training run shared by several tests."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
QUICK_POSE_CONFIG = REPO_ROOT / 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py'
# One short epoch: enough to produce a real checkpoint through the real Runner.
QUICK_OPTIONS = ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                 'default_hooks.checkpoint.interval=1', 'default_hooks.logger.interval=1']


def run_tool(args, cwd=REPO_ROOT, timeout=900, env=None, check=True) -> subprocess.CompletedProcess:
    """Run a command with this interpreter's environment first on PATH; return the finished process."""
    full_env = dict(os.environ)
    full_env['PATH'] = f'{Path(sys.executable).parent}{os.pathsep}{full_env.get("PATH", "")}'
    full_env['PYTHONUNBUFFERED'] = '1'
    full_env.update(env or {})
    proc = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}\n'
                             f'--- stderr\n{proc.stderr[-4000:]}')
    return proc


@pytest.fixture(scope='session')
def quick_pose_config() -> Path:
    return QUICK_POSE_CONFIG


@pytest.fixture(scope='session')
def trained_pose(tmp_path_factory) -> Path:
    """Work dir of one epoch of BK-Pose on the bundled sample, trained by tools/train.py."""
    work_dir = tmp_path_factory.mktemp('quick_pose')
    run_tool([sys.executable, 'tools/train.py', str(QUICK_POSE_CONFIG), '--work-dir', str(work_dir),
              '--cfg-options', *QUICK_OPTIONS])
    assert (work_dir / 'epoch_1.pth').is_file()
    return work_dir
