"""The synthetic data set, and LSTM / ST-GCN trained on it through tools/train.py."""
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import posezoo.action  # noqa: F401
from posezoo.action.skeleton import SeedSkeletonDataset, read_seed_file
from posezoo.action.skeleton.synthetic import ACTIONS, MEDIAPIPE_TO_COCO

from shared_data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / 'tools' / 'misc'))
from make_skeleton_dataset import make_dataset  # noqa: E402

LOADER = ('num_workers=0', 'persistent_workers=False')


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('synthetic')
    make_dataset(str(out), num_train=60, num_val=20, seed_clips=8, seed=0)
    return out


def test_synthetic_formats(synthetic):
    for split in ('train', 'val'):
        for action in ACTIONS:
            frames, landmarks = read_seed_file(synthetic / 'seed' / split / f'{action}.txt')
            assert landmarks.shape[1:] == (33, 4) and len(landmarks) >= 2 * 40
            np.testing.assert_array_equal(frames, np.arange(len(frames)))
            vis = landmarks[..., 3]
            assert 0.01 < (vis < 0.5).mean() < 0.1  # some missing keypoints, most visible
            assert ((landmarks[..., :2] > -0.2) & (landmarks[..., :2] < 1.2)).mean() > 0.99
    data = pickle.loads((synthetic / 'synthetic_coco17.pkl').read_bytes())
    assert len(data['split']['train']) == 240 and len(data['split']['val']) == 80
    assert not set(data['split']['train']) & set(data['split']['val'])
    people = [a['keypoint'].shape[0] for a in data['annotations']]
    assert set(people) == {1, 2}
    for anno in data['annotations']:
        m, t, v, c = anno['keypoint'].shape
        assert (v, c) == (17, 2) and 40 <= t <= 80 and anno['total_frames'] == t
        assert anno['keypoint_score'].shape == (m, t, 17)
        missing = anno['keypoint_score'] == 0
        assert (anno['keypoint'][missing] == 0).all()
    # body sizes vary: torso lengths (shoulder centre to hip centre) in pixels
    torso = [np.linalg.norm(a['keypoint'][0, 0, 5:7].mean(0) - a['keypoint'][0, 0, 11:13].mean(0))
             for a in data['annotations'] if (a['keypoint_score'][0, 0, [5, 6, 11, 12]] > 0).all()]
    assert max(torso) > 1.8 * min(torso)
    assert len(MEDIAPIPE_TO_COCO) == 17


def _train(config: str, work_dir: Path, options: list, seeded: list) -> dict:
    """Train with tools/train.py; ``seeded``: the suite's ``train_options`` (seed, determinism)."""
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', str(work_dir),
           '--cfg-options', *seeded, *options]
    env = dict(os.environ, OMP_NUM_THREADS='1')  # small models: one thread is fastest on 2 cores
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    scalars = sorted(work_dir.glob('*/vis_data/scalars.json'))[-1]
    val = [json.loads(line) for line in scalars.read_text().splitlines()]
    return [v for v in val if 'acc/top1' in v][-1]


@pytest.mark.learning
def test_lstm_reaches_95_top1_on_held_out_split(synthetic, tmp_path, train_options, figure):
    ann = synthetic / 'synthetic_coco17.pkl'
    options = [f'{d}.dataset.ann_file={ann}' for d in ('train_dataloader', 'val_dataloader')]
    options += [f'{d}.{o}' for d in ('train_dataloader', 'val_dataloader') for o in LOADER]
    metrics = _train('configs/skeleton/lstm/lstm_1xb16-80e_synthetic-coco17-48f.py', tmp_path,
                     options + ['train_cfg.val_interval=80'], train_options)
    print(f"LSTM synthetic COCO-17 held-out top-1: {metrics['acc/top1']:.4f}, "
          f"mean class acc {metrics['acc/mean1']:.4f}")
    figure('held-out top-1', metrics['acc/top1'], 0.95)
    assert metrics['acc/top1'] >= 0.95


@pytest.mark.learning
def test_lstm_seed_format(synthetic, tmp_path, train_options, figure):
    root = synthetic / 'seed'
    val = SeedSkeletonDataset(str(root / 'val'), [], classes=ACTIONS, clip_len=30, stride=10)
    assert len(val) >= 30
    options = [f'train_dataloader.dataset.ann_file={root / "train"}',
               f'val_dataloader.dataset.ann_file={root / "val"}']
    options += [f'{d}.{o}' for d in ('train_dataloader', 'val_dataloader') for o in LOADER]
    metrics = _train('configs/skeleton/lstm/lstm_1xb16-20e_synthetic-mediapipe33-30f.py', tmp_path,
                     options + ['train_cfg.val_interval=20'], train_options)
    print(f"LSTM synthetic seed-format (MediaPipe-33) held-out top-1: {metrics['acc/top1']:.4f}")
    figure('held-out top-1', metrics['acc/top1'], 0.9)
    assert metrics['acc/top1'] >= 0.9


@pytest.mark.learning
def test_stgcn_trains_on_the_same_data(synthetic, tmp_path, train_options, figure):
    ann = synthetic / 'synthetic_coco17.pkl'
    options = ['train_dataloader.dataset.dataset.ann_file=' + str(ann),
               f'val_dataloader.dataset.ann_file={ann}',
               # a small ST-GCN (4 stages, 16 -> 32 channels) keeps the CPU test short
               'model.backbone.base_channels=16', 'model.backbone.num_stages=4',
               'model.backbone.inflate_stages=[3]', 'model.backbone.down_stages=[3]',
               'model.cls_head.in_channels=32', 'train_cfg.max_epochs=10',
               'train_cfg.val_interval=10', 'param_scheduler.0.T_max=10']
    options += [f'{d}.{o}' for d in ('train_dataloader', 'val_dataloader') for o in LOADER]
    metrics = _train('configs/skeleton/stgcn/stgcn_1xb16-30e_synthetic-coco17-48f.py', tmp_path,
                     options, train_options)
    print(f"ST-GCN (small) synthetic COCO-17 held-out top-1: {metrics['acc/top1']:.4f}")
    figure('held-out top-1', metrics['acc/top1'], 0.7)
    assert metrics['acc/top1'] >= 0.7
