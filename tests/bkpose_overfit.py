"""The BK-Pose overfit recipe shared by the learning test
(``tests/test_pose/test_bkpose/test_bkpose_learning.py``) and the edge fixture
(``tests/test_edge/conftest.py``): a few real COCO images trained on with the quickstart config
through MMEngine's Runner (no augmentation, focal L2 from the first iteration, the whole image
padded to a small square input), one batch of all the images per epoch, validated on the same
images.
"""
import json
from pathlib import Path
from typing import Sequence

CONFIG = 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py'


def subset_annotations(ann_file: Path, images: Sequence[str], dst: Path) -> Path:
    """Write the COCO annotations of the images named ``images`` (file names) to ``dst``."""
    coco = json.loads(Path(ann_file).read_text())
    kept = [im for im in coco['images'] if im['file_name'] in images]
    ids = {im['id'] for im in kept}
    dst.write_text(json.dumps(dict(
        coco, images=kept, annotations=[a for a in coco['annotations'] if a['image_id'] in ids])))
    return dst


def overfit_config(repo_root: Path, data_root: Path, ann_file: Path, work_dir: Path, seed: int,
                   num_images: int, input_size: int, iters: int):
    """The quickstart config overfitting ``num_images`` images of ``data_root``/train2017 listed
    in ``ann_file``: ``input_size`` square input (heatmaps at a quarter), ``iters`` epochs of
    one batch, seeded and deterministic, no checkpoints, quiet."""
    from mmengine.config import Config
    cfg = Config.fromfile(str(repo_root / CONFIG))
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=seed, deterministic=True)
    codec = dict(cfg.codec, input_size=(input_size, input_size),
                 heatmap_size=(input_size // 4, input_size // 4))
    cfg.model.head.decoder = codec
    for step in cfg.train_dataloader.dataset.pipeline:
        if step.type == 'BottomupRandomAffine':
            step.input_size = codec['input_size']
        if step.type == 'GenerateTarget':
            step.encoder = codec
    for step in cfg.val_dataloader.dataset.pipeline:
        if step.type == 'BottomupResize':
            step.input_size = codec['input_size']
    data = dict(data_root=str(data_root) + '/', ann_file=str(ann_file),
                data_prefix=dict(img='train2017/'))
    cfg.train_dataloader.dataset.update(data)
    cfg.val_dataloader.dataset.update(data)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.val_evaluator.ann_file = str(ann_file)
    cfg.test_evaluator = cfg.val_evaluator
    assert cfg.train_dataloader.batch_size == num_images
    cfg.train_cfg.update(max_epochs=iters, val_interval=iters + 1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    cfg.log_level = 'WARNING'
    return cfg
