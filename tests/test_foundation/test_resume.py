"""An interrupted run resumes with --resume at the same iteration with the same optimizer state."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import posezoo  # noqa: F401  (checkpoint safe globals for torch.load)

from .conftest import QUICK_OPTIONS, QUICK_POSE_CONFIG, REPO_ROOT, run_tool

pytestmark = pytest.mark.slow  # real training runs through tools/train.py and the Runner


def _flatten(state, prefix=''):
    """Every tensor / number of a nested optimizer state dict, keyed by its path."""
    if isinstance(state, dict):
        items = state.items()
    elif isinstance(state, (list, tuple)):
        items = enumerate(state)
    else:
        return {prefix: state}
    flat = {}
    for key, value in items:
        flat.update(_flatten(value, f'{prefix}/{key}'))
    return flat


def test_resume_restores_iteration_and_optimizer_state(trained_pose, tmp_path):
    checkpoint = torch.load(trained_pose / 'epoch_1.pth', map_location='cpu')

    cfg = Config.fromfile(str(QUICK_POSE_CONFIG))
    cfg.merge_from_dict({'default_hooks.checkpoint.interval': 1, 'default_hooks.logger.interval': 1})
    cfg.work_dir = str(tmp_path / 'inspect')
    cfg.resume = True
    cfg.load_from = str(trained_pose / 'epoch_1.pth')
    runner = Runner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.load_or_resume()

    assert runner.iter == checkpoint['meta']['iter'] > 0
    assert runner.epoch == checkpoint['meta']['epoch'] == 1
    restored = _flatten(runner.optim_wrapper.state_dict())
    saved = _flatten(checkpoint['optimizer'])
    assert restored.keys() == saved.keys()
    for key, value in saved.items():
        if torch.is_tensor(value):
            assert torch.equal(restored[key], value), key
        else:
            assert restored[key] == value, key
    for name, param in runner.model.state_dict().items():
        assert torch.equal(param, checkpoint['state_dict'][name]), name


def test_train_resume_continues_to_the_end(trained_pose, tmp_path):
    """tools/train.py --resume CKPT continues an interrupted 1-of-2-epoch run to epoch 2."""
    work_dir = tmp_path / 'resumed'
    first = torch.load(trained_pose / 'epoch_1.pth', map_location='cpu')
    options = ['train_cfg.max_epochs=2'] + QUICK_OPTIONS[1:]
    proc = run_tool([sys.executable, 'tools/train.py', str(QUICK_POSE_CONFIG), '--work-dir',
                     str(work_dir), '--resume', str(trained_pose / 'epoch_1.pth'),
                     '--cfg-options', *options])
    log = proc.stdout + proc.stderr
    assert f"resumed epoch: 1, iter: {first['meta']['iter']}" in log
    final = torch.load(work_dir / 'epoch_2.pth', map_location='cpu')
    assert final['meta']['epoch'] == 2
    assert final['meta']['iter'] == 2 * first['meta']['iter']
    assert not (work_dir / 'epoch_1.pth').exists()  # epoch 1 was not trained again


def test_killed_run_resumes_from_its_last_checkpoint(tmp_path):
    """SIGKILL a 3-epoch run after its first complete checkpoint; `--resume` (auto) finishes it."""
    work_dir = tmp_path / 'killed'
    options = ['train_cfg.max_epochs=3', 'train_cfg.val_interval=10'] + QUICK_OPTIONS[2:]
    command = [sys.executable, 'tools/train.py', str(QUICK_POSE_CONFIG), '--work-dir', str(work_dir),
               '--cfg-options', *options]
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    # MMEngine writes `last_checkpoint` once a checkpoint file is complete: kill after that
    # (killing between the two leaves nothing to resume from, and the run restarts)
    deadline = time.time() + 600
    while (not (work_dir / 'last_checkpoint').exists() and proc.poll() is None
           and time.time() < deadline):
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (work_dir / 'last_checkpoint').exists(), 'the run never saved a checkpoint'
    last = torch.load((work_dir / 'last_checkpoint').read_text().strip(), map_location='cpu')
    assert last['meta']['epoch'] < 3, 'the run finished before it was killed'

    finished = run_tool(command + ['--resume'])
    log = finished.stdout + finished.stderr
    assert f"resumed epoch: {last['meta']['epoch']}, iter: {last['meta']['iter']}" in log
    final = torch.load(work_dir / 'epoch_3.pth', map_location='cpu')
    per_epoch = last['meta']['iter'] // last['meta']['epoch']
    assert final['meta']['iter'] == 3 * per_epoch
