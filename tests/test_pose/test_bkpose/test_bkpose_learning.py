"""Learning: BK-Pose, trained through mmengine's Runner, overfits a handful of real COCO images.

Four one-person images of the bundled data/coco_sample train2017 (4-16 labelled keypoints each)
are trained on with the quickstart config (real train pipeline, codec, focal L2 loss from the
first iteration, no augmentation; the whole image, padded, in training and in validation) at a
192x192 input, then evaluated with mmpose's CocoMetric on the same images.

Measured (CPU, one thread): COCO AP 0 for the first 30 iterations, 0.65 at 50, >= 0.95 from 80,
1.0 from 120 on; 150 iterations take about 2.5 minutes on an idle core.
"""
import json
from pathlib import Path

import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

import posezoo.pose  # noqa: F401

CONFIG = ('configs/body_2d_keypoint/bkpose/coco/'
          'bkpose_1xb4-quickstart_coco-sample-256x256.py')
IMAGES = ('000000030752.jpg', '000000069468.jpg', '000000463557.jpg', '000000551757.jpg')
INPUT = 192
ITERS = 150  # one batch of the 4 images per epoch


def _subset(coco_sample: Path, dst: Path) -> Path:
    """Write the annotations of ``IMAGES`` (one labelled person each) to ``dst``."""
    coco = json.loads((coco_sample / 'annotations' / 'person_keypoints_train2017.json').read_text())
    images = [im for im in coco['images'] if im['file_name'] in IMAGES]
    ids = {im['id'] for im in images}
    dst.write_text(json.dumps(dict(
        coco, images=images, annotations=[a for a in coco['annotations'] if a['image_id'] in ids])))
    return dst


def _config(repo_root: Path, coco_sample: Path, ann_file: Path, work_dir: Path) -> Config:
    cfg = Config.fromfile(str(repo_root / CONFIG))
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=0)
    codec = dict(cfg.codec, input_size=(INPUT, INPUT), heatmap_size=(INPUT // 4, INPUT // 4))
    cfg.model.head.decoder = codec
    for step in cfg.train_dataloader.dataset.pipeline:
        if step.type == 'BottomupRandomAffine':
            step.input_size = codec['input_size']
        if step.type == 'GenerateTarget':
            step.encoder = codec
    for step in cfg.val_dataloader.dataset.pipeline:
        if step.type == 'BottomupResize':
            step.input_size = codec['input_size']
    data = dict(data_root=str(coco_sample) + '/', ann_file=str(ann_file),
                data_prefix=dict(img='train2017/'))
    cfg.train_dataloader.dataset.update(data)
    cfg.val_dataloader.dataset.update(data)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.val_evaluator.ann_file = str(ann_file)
    cfg.test_evaluator = cfg.val_evaluator
    assert cfg.train_dataloader.batch_size == len(IMAGES)
    cfg.train_cfg.update(max_epochs=ITERS, val_interval=ITERS + 1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    cfg.log_level = 'WARNING'
    return cfg


def test_overfits_coco_sample(repo_root: Path, coco_sample: Path, tmp_path: Path, capsys):
    ann_file = _subset(coco_sample, tmp_path / 'person_keypoints_4.json')
    runner = Runner.from_cfg(_config(repo_root, coco_sample, ann_file, tmp_path / 'work'))
    runner.train()
    losses = np.array(runner.message_hub.get_scalar('train/loss').data[0])
    metrics = runner.test()
    with capsys.disabled():
        print(f'\nBK-Pose overfit on {len(IMAGES)} COCO sample images ({INPUT}x{INPUT}, {ITERS} '
              f'iterations): loss {losses[0]:.0f} -> {losses[-10:].mean():.1f}, '
              f'COCO AP {metrics["coco/AP"]:.4f} (AP50 {metrics["coco/AP .5"]:.4f})')
    assert metrics['coco/AP'] >= 0.8
