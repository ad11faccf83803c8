"""DDP through tools/dist_train.sh (torchrun, MMEngine's pytorch launcher) with gloo on CPU."""
import re

import pytest
import torch

import posezoo  # noqa: F401  (checkpoint safe globals for torch.load)

from .conftest import QUICK_OPTIONS, QUICK_POSE_CONFIG, run_tool

pytestmark = pytest.mark.slow  # two training processes through tools/dist_train.sh


def test_dist_train_two_processes_gloo(tmp_path):
    work_dir = tmp_path / 'ddp'
    proc = run_tool(['bash', 'tools/dist_train.sh', str(QUICK_POSE_CONFIG), '2', '--work-dir',
                     str(work_dir), '--cfg-options', *QUICK_OPTIONS],
                    env=dict(PORT='29517', OMP_NUM_THREADS='1'))
    log = proc.stdout + proc.stderr
    assert re.search(r'Distributed launcher: pytorch', log)
    assert re.search(r'Distributed training: True', log)
    assert re.search(r'GPU number: 2|world_size[:=] ?2', log), log[-3000:]
    checkpoint = torch.load(work_dir / 'epoch_1.pth', map_location='cpu')
    # 8 training images, batch 4 per process, 2 processes: one iteration per epoch.
    assert checkpoint['meta']['iter'] == 1
    assert 'coco/AP' in log
