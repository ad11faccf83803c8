"""One resolver for configs: a path, ``<package>::<path>``, a model name as ``mim search`` prints
it, and the README's ``configs/...`` path from any directory."""
import os
from pathlib import Path

import pytest
from mmengine.hub import get_config

from posezoo.utils.paths import CONFIGS, SAMPLE_DATA
from posezoo.utils.setup_env import load_config, resolve_config

BKPOSE = 'body_2d_keypoint/bkpose/coco/bkpose_1xb8-60e_coco-512x512.py'
QUICKSTART = 'bkpose_1xb4-quickstart_coco-sample-256x256'


@pytest.fixture()
def elsewhere(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_spelling_of_a_posezoo_config_is_the_same_file(elsewhere):
    target = (CONFIGS / BKPOSE).resolve()
    for spec in (f'posezoo::{BKPOSE}', 'bkpose_1xb8-60e_coco-512x512',
                 'bkpose_1xb8-60e_coco-512x512.py', f'configs/{BKPOSE}', str(CONFIGS / BKPOSE)):
        assert Path(resolve_config(spec)).resolve() == target, spec


def test_library_configs_by_package_name():
    for spec in ('mmpose::body_2d_keypoint/dekr/coco/dekr_hrnet-w32_8xb10-140e_coco-512x512.py',
                 'mmaction::recognition/tsn/'
                 'tsn_imagenet-pretrained-r50_8xb32-1x1x3-100e_kinetics400-rgb.py'):
        path = resolve_config(spec)
        assert os.path.isfile(path) and f'{os.sep}.mim{os.sep}configs{os.sep}' in path, path
    with pytest.raises(FileNotFoundError, match="unknown package 'mmfoo'"):
        resolve_config('mmfoo::a/b.py')


def test_mmengine_knows_posezoo_configs():
    """``import posezoo`` registers the package with MMEngine: ``get_config`` and ``_base_``."""
    cfg = get_config(f'posezoo::{BKPOSE}')
    assert Path(cfg.filename).resolve() == (CONFIGS / BKPOSE).resolve()


def test_base_by_package_name(tmp_path: Path):
    child = tmp_path / 'child.py'
    child.write_text(f"_base_ = ['posezoo::{BKPOSE}']\ntrain_cfg = dict(max_epochs=1)\n")
    cfg = load_config(str(child))
    assert cfg.model.type == 'BottomupPoseEstimator' and cfg.train_cfg.max_epochs == 1


def test_quickstart_finds_its_sample_from_any_directory(elsewhere):
    cfg = load_config(QUICKSTART)
    root = Path(cfg.train_dataloader.dataset.data_root)
    assert root.resolve() == SAMPLE_DATA.resolve()
    assert (root / 'annotations' / 'person_keypoints_train2017.json').is_file()
    assert Path(cfg.val_evaluator.ann_file).is_file()
