"""`mim search / train / test posezoo` find posezoo's packaged configs, tools and metafiles."""
import re
import sys
from pathlib import Path

import pytest

from posezoo.apis.task import metafile_entries

from .conftest import QUICK_OPTIONS, run_tool

MIM = str(Path(sys.executable).parent / 'mim')


def test_mim_search_lists_every_model():
    """Every metafile model (each config has one: test_metafiles.py) is listed by mim."""
    proc = run_tool([MIM, 'search', 'posezoo', '--field', 'config'])
    names = metafile_entries()
    assert len(names) >= 5
    for name in names:
        assert name in proc.stdout, name


@pytest.mark.slow  # trains and tests through mim
def test_mim_train_then_test(tmp_path):
    config = 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py'
    run_tool([MIM, 'train', 'posezoo', config, '--work-dir', str(tmp_path), '--cfg-options',
              *QUICK_OPTIONS])
    assert (tmp_path / 'epoch_1.pth').is_file()
    proc = run_tool([MIM, 'test', 'posezoo', config, '--checkpoint', str(tmp_path / 'epoch_1.pth'),
                     '--work-dir', str(tmp_path / 'test')])
    assert re.search(r'coco/AP: [0-9.]+', proc.stdout + proc.stderr)
