"""`mim search / train / test posezoo` find posezoo's packaged configs, tools and metafiles."""
import re
import sys
from pathlib import Path

import yaml

from .conftest import QUICK_OPTIONS, REPO_ROOT, run_tool

MIM = str(Path(sys.executable).parent / 'mim')


def _metafile_models():
    index = yaml.safe_load((REPO_ROOT / 'model-index.yml').read_text())
    models = []
    for entry in index['Import']:
        metafile = yaml.safe_load((REPO_ROOT / entry).read_text())
        models += metafile['Models']
    return models


def test_model_index_lists_existing_configs():
    models = _metafile_models()
    assert len(models) >= 5
    for model in models:
        assert (REPO_ROOT / model['Config']).is_file(), model['Config']


def test_mim_search_lists_every_model():
    proc = run_tool([MIM, 'search', 'posezoo', '--field', 'config'])
    listed = proc.stdout
    for model in _metafile_models():
        assert model['Name'] in listed, model['Name']


def test_mim_train_then_test(tmp_path):
    config = 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py'
    run_tool([MIM, 'train', 'posezoo', config, '--work-dir', str(tmp_path), '--cfg-options',
              *QUICK_OPTIONS])
    assert (tmp_path / 'epoch_1.pth').is_file()
    proc = run_tool([MIM, 'test', 'posezoo', config, '--checkpoint', str(tmp_path / 'epoch_1.pth'),
                     '--work-dir', str(tmp_path / 'test')])
    assert re.search(r'coco/AP: [0-9.]+', proc.stdout + proc.stderr)
