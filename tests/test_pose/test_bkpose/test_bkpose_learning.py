"""Learning: BK-Pose, trained through mmengine's Runner, overfits a handful of real COCO images.

Four one-person images of the bundled data/coco_sample train2017 (4-16 labelled keypoints each)
are trained on with the quickstart config (real train pipeline, codec, focal L2 loss from the
first iteration, no augmentation; the whole image, padded, in training and in validation) at a
192x192 input, then evaluated with mmpose's CocoMetric on the same images.

Measured (CPU, one thread): COCO AP 0 for the first 30 iterations, 0.65 at 50, >= 0.95 from 80,
1.0 from 120 on; 150 iterations take about 2.5 minutes on an idle core. Over ``POSEZOO_TEST_SEED``
0-4: AP 0.956 / 1.0 / 0.913 / 0.872 / 0.869 (before the grouping's score-aware fragment merging
and mean-based instance score: 0.956 / 1.0 / 0.714 / 0.872 / 0.751; on 000000551757.jpg, a
person labelled with a face and one wrist, the face merged with faint leftover peaks instead of
the strong wrist, and people seen by a few keypoints ranked below leftover skeletons).

The trained model then drives ``demo/pose_demo.py``, whose saved image must show its skeleton over
the annotated keypoints.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import mmcv
import numpy as np
import pytest
from mmengine.runner import Runner

import posezoo.pose  # noqa: F401

from bkpose_overfit import overfit_config, subset_annotations

pytestmark = pytest.mark.slow  # trains BK-Pose for 150 iterations (minutes on one core)

IMAGES = ('000000030752.jpg', '000000069468.jpg', '000000463557.jpg', '000000551757.jpg')
INPUT = 192
ITERS = 150  # one batch of the 4 images per epoch


@pytest.fixture(scope='module')
def overfit(repo_root: Path, coco_sample: Path, tmp_path_factory, learning_seed: int) -> dict:
    """Train once for this module; keep the metrics, the losses, the config and a checkpoint."""
    tmp_path = tmp_path_factory.mktemp('bkpose_overfit')
    ann_file = subset_annotations(coco_sample / 'annotations' / 'person_keypoints_train2017.json',
                                  IMAGES, tmp_path / 'person_keypoints_4.json')
    runner = Runner.from_cfg(overfit_config(repo_root, coco_sample, ann_file, tmp_path / 'work',
                                            learning_seed, len(IMAGES), INPUT, ITERS))
    runner.train()
    losses = np.array(runner.message_hub.get_scalar('train/loss').data[0])
    metrics = runner.test()
    runner.model.test_cfg['flip_test'] = True
    metrics_flip = runner.test()
    runner.model.test_cfg['flip_test'] = False
    runner.save_checkpoint(str(tmp_path), 'overfit.pth')
    runner.cfg.dump(str(tmp_path / 'overfit_config.py'))
    return dict(metrics=metrics, metrics_flip=metrics_flip, losses=losses, ann_file=ann_file,
                config=tmp_path / 'overfit_config.py', checkpoint=tmp_path / 'overfit.pth')


@pytest.mark.learning
def test_overfits_coco_sample(overfit: dict, capsys, figure):
    losses, metrics = overfit['losses'], overfit['metrics']
    with capsys.disabled():
        print(f'\nBK-Pose overfit on {len(IMAGES)} COCO sample images ({INPUT}x{INPUT}, {ITERS} '
              f'iterations): loss {losses[0]:.0f} -> {losses[-10:].mean():.1f}, '
              f'COCO AP {metrics["coco/AP"]:.4f} (AP50 {metrics["coco/AP .5"]:.4f}); with flip '
              f'test COCO AP {overfit["metrics_flip"]["coco/AP"]:.4f} '
              f'(AP50 {overfit["metrics_flip"]["coco/AP .5"]:.4f})')
    figure('COCO AP', metrics['coco/AP'], 0.8)
    assert metrics['coco/AP'] >= 0.8
    # the flip test runs end to end; the model never saw a mirrored image (no flip
    # augmentation here), so its mirrored-input heatmaps are weaker and the average may cost AP
    # (why the configs keep flip_test=False; test_bkpose_flip_phantom.py checks the alignment)
    assert overfit['metrics_flip']['coco/AP'] >= 0.5


def test_pose_demo_draws_the_learned_skeleton(overfit: dict, repo_root: Path, coco_sample: Path,
                                              tmp_path: Path):
    """demo/pose_demo.py (the quickstart's last step) with the overfit model: the saved image is
    the input with the predictions drawn over the annotated keypoints and little else (weak
    leftover peaks are dropped by the decoder, strong ones may remain as small fragments)."""
    image = coco_sample / 'train2017' / IMAGES[0]
    out = tmp_path / 'vis.png'  # lossless: pixels that were not drawn on stay identical
    proc = subprocess.run(
        [sys.executable, 'demo/pose_demo.py', str(overfit['config']), str(overfit['checkpoint']),
         str(image), '--out-file', str(out)],
        cwd=repo_root, capture_output=True, text=True, check=True)
    found = re.search(r'(\d+) people found in .*, (\d+) with keypoints above --kpt-thr 0.3; '
                      r'visualisation saved to (.*)$', proc.stdout.strip())
    assert found, proc.stdout + proc.stderr
    assert int(found[2]) >= 1 and found[3] == str(out)

    original, drawing = mmcv.imread(str(image)), mmcv.imread(str(out))
    assert drawing.shape == original.shape
    drawn = np.abs(drawing.astype(int) - original.astype(int)).max(axis=2) > 0
    coco = json.loads(overfit['ann_file'].read_text())
    image_id = next(im['id'] for im in coco['images'] if im['file_name'] == IMAGES[0])
    keypoints = np.concatenate([np.array(a['keypoints']).reshape(-1, 3) for a in
                                coco['annotations'] if a['image_id'] == image_id])
    visible = keypoints[keypoints[:, 2] > 0, :2].round().astype(int)
    near = [drawn[max(y - 6, 0):y + 7, max(x - 6, 0):x + 7].any() for x, y in visible]
    print(f'{proc.stdout.strip()}; {sum(near)} of {len(near)} annotated keypoints drawn over, '
          f'{drawn.mean():.2%} of the pixels changed')
    assert np.mean(near) >= 0.8
    assert drawn.mean() < 0.05
