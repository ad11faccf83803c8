"""Learning: reduced-width HigherHRNet and SE-HigherHRNet, trained with mmengine's Runner from
the repository's config (real train pipeline, codec, losses) on real COCO images, overfit them.

The budget of a CPU test limits the input to 128 px and 120 iterations: detection and grouping
are learnt (AP@0.5 on the training images), the full COCO AP (0.5:0.95) is printed; at this
input size one input pixel is ~5 image pixels, which caps the AP at high OKS thresholds.
"""
import json
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import posezoo.pose  # noqa: F401

CONFIG = ('configs/body_2d_keypoint/higherhrnet/coco/'
          'higherhrnet_se-hrnet-w32_1xb32-40e_coco-512x512.py')
NUM_IMAGES = 4
INPUT = 128
MAX_ITERS = 120


def _pick_images(coco_mini: Path, dst: Path) -> Path:
    """Write an annotation file with the first (up to) 4 train images holding 1-3 large
    (>= 160^2 px), well-annotated people and nothing else (2 images in coco-mini)."""
    coco = json.loads((coco_mini / 'annotations' / 'person_keypoints_train2017.json').read_text())
    per_image = {}
    for ann in coco['annotations']:
        per_image.setdefault(ann['image_id'], []).append(ann)
    chosen = []
    for image in sorted(coco['images'], key=lambda i: i['id']):
        anns = per_image.get(image['id'], [])
        if (1 <= len(anns) <= 3 and all(not a['iscrowd'] and a['num_keypoints'] >= 10
                                         and a['area'] >= 160 * 160 for a in anns)):
            chosen.append(image)
        if len(chosen) == NUM_IMAGES:
            break
    ids = {i['id'] for i in chosen}
    subset = dict(coco, images=chosen,
                  annotations=[a for a in coco['annotations'] if a['image_id'] in ids])
    dst.write_text(json.dumps(subset))
    return dst


def _config(repo_root: Path, coco_mini: Path, ann_file: Path, work_dir: Path, se: bool) -> Config:
    cfg = Config.fromfile(str(repo_root / CONFIG))
    cfg.work_dir = str(work_dir)
    cfg.load_from = None
    cfg.randomness = dict(seed=0)
    # reduced width / depth (W8, one block per branch), input 128, heatmaps at 32 and 64
    cfg.model.backbone.extra = dict(
        stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(1, ),
                    num_channels=(16, )),
        stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(1, 1),
                    num_channels=(8, 16)),
        stage3=dict(num_modules=1, num_branches=3, block='BASIC', num_blocks=(1, 1, 1),
                    num_channels=(8, 16, 32)),
        stage4=dict(num_modules=1, num_branches=4, block='BASIC', num_blocks=(1, 1, 1, 1),
                    num_channels=(8, 16, 32, 64), multiscale_output=False))
    if not se:
        cfg.model.backbone = dict(type='HRNet', in_channels=3, extra=cfg.model.backbone.extra)
    cfg.model.head.update(in_channels=8, deconv_out_channels=(8, ), num_basic_blocks=1)
    codec = dict(cfg.model.head.decoder, input_size=(INPUT, INPUT),
                 heatmap_sizes=[(INPUT // 4, INPUT // 4), (INPUT // 2, INPUT // 2)])
    cfg.model.head.decoder = codec
    cfg.model.test_cfg = dict(flip_test=True)

    # no random augmentation: the whole image fits the input (padded), as in validation
    train_pipeline = [
        dict(type='LoadImage'),
        dict(type='BottomupRandomAffine', input_size=(INPUT, INPUT), shift_prob=0,
             scale_prob=0, rotate_prob=0, scale_type='long'),
        dict(type='GenerateTarget', encoder=codec),
        dict(type='BottomupGetHeatmapMask'),
        dict(type='PackPoseInputs'),
    ]
    val_pipeline = [
        dict(type='LoadImage'),
        dict(type='BottomupResize', input_size=(INPUT, INPUT), size_factor=32,
             resize_mode='fit'),
        cfg.val_dataloader.dataset.pipeline[-1],
    ]
    dataset = dict(type='CocoDataset', data_root=str(coco_mini), data_mode='bottomup',
                   ann_file=str(ann_file), data_prefix=dict(img='train2017/'))
    cfg.train_dataloader = dict(
        batch_size=NUM_IMAGES, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=True),
        dataset=dict(dataset, pipeline=train_pipeline))
    cfg.val_dataloader = dict(
        batch_size=1, num_workers=0, persistent_workers=False, drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
        dataset=dict(dataset, test_mode=True, pipeline=val_pipeline))
    cfg.test_dataloader = cfg.val_dataloader
    cfg.val_evaluator = dict(cfg.val_evaluator, ann_file=str(ann_file))
    cfg.test_evaluator = cfg.val_evaluator

    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=MAX_ITERS, val_interval=10**9)
    cfg.optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-3))
    cfg.param_scheduler = [dict(type='MultiStepLR', by_epoch=False, milestones=[100],
                                gamma=0.1)]
    cfg.log_processor = dict(by_epoch=False)
    cfg.auto_scale_lr = dict(enable=False, base_batch_size=NUM_IMAGES)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**9)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=20)
    cfg.default_hooks.visualization = dict(type='PoseVisualizationHook', enable=False)
    cfg.log_level = 'WARNING'
    return cfg


@pytest.mark.parametrize('se', [False, True], ids=['higherhrnet', 'se-higherhrnet'])
def test_overfit_coco_images(se: bool, repo_root: Path, coco_mini: Path, tmp_path: Path) -> None:
    ann_file = _pick_images(coco_mini, tmp_path / 'train4.json')
    runner = Runner.from_cfg(_config(repo_root, coco_mini, ann_file, tmp_path / 'work', se))
    runner.train()
    losses = np.array(runner.message_hub.get_scalar('train/loss').data[0])
    chunks = [c.mean() for c in np.array_split(losses, 6)]
    metrics = runner.test()
    name = 'SE-HigherHRNet' if se else 'HigherHRNet'
    print(f'{name} overfit on {len(runner.train_dataloader.dataset)} COCO images: loss per '
          f'sixth of training {np.round(chunks, 5).tolist()}, COCO AP {metrics["coco/AP"]:.4f}, '
          f'AP@0.5 {metrics["coco/AP .5"]:.4f}')
    assert all(b <= a * 1.02 for a, b in zip(chunks, chunks[1:])), 'smoothed loss must decrease'
    assert chunks[-1] < 0.5 * chunks[0]
    assert metrics['coco/AP .5'] >= 0.8
