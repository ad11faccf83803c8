"""An overfit BK-Pose model on real COCO images with several people, exported for the edge.

Session-scoped: trained once (seeded, deterministic), the way
``tests/test_pose/test_bkpose/test_bkpose_learning.py`` trains its model (the quickstart
config through MMEngine's Runner, no augmentation, focal L2 from the first iteration), but on
four coco-mini train2017 images with 2-4 labelled people each, so that grouping has several
people to separate. Then the model is exported with ``tools/deployment/export_edge.py`` (ONNX +
sidecar), quantised with ``tools/deployment/quantize_edge.py`` (INT8, calibrated on coco-mini
val2017), and the full posezoo pipeline's predictions on the training images
(``posezoo.apis.inference``: mmpose test pipeline, PyTorch network, torch codec) are saved.
"""
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

CONFIG = 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb4-quickstart_coco-sample-256x256.py'
#: coco-mini train2017 images with several labelled people (4, 3, 2 and 2), none tiny.
IMAGES = ('000000000790.jpg', '000000227000.jpg', '000000442450.jpg', '000000256353.jpg')
INPUT = 192
ITERS = 120  # one batch of the 4 images per epoch


def load_tool(repo_root: Path, relative: str) -> ModuleType:
    """A script under tools/ as a module (its ``main`` and helpers)."""
    spec = importlib.util.spec_from_file_location(Path(relative).stem, repo_root / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _subset(coco_mini: Path, dst: Path) -> Path:
    coco = json.loads((coco_mini / 'annotations' / 'person_keypoints_train2017.json').read_text())
    images = [im for im in coco['images'] if im['file_name'] in IMAGES]
    ids = {im['id'] for im in images}
    dst.write_text(json.dumps(dict(
        coco, images=images, annotations=[a for a in coco['annotations'] if a['image_id'] in ids])))
    return dst


def _config(repo_root: Path, coco_mini: Path, ann_file: Path, work_dir: Path, seed: int):
    from mmengine.config import Config
    cfg = Config.fromfile(str(repo_root / CONFIG))
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=seed, deterministic=True)
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
    data = dict(data_root=str(coco_mini) + '/', ann_file=str(ann_file),
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


def save_predictions(model, images, path: Path) -> dict:
    """The full pipeline's predictions on ``images`` saved to ``path`` (npz, keys
    ``<stem>_keypoints`` / ``_keypoint_scores`` / ``_instance_scores``)."""
    from posezoo.apis import inference
    arrays = {}
    for image in images:
        instances = inference(model, str(image)).pred_instances
        stem = Path(image).stem
        arrays[f'{stem}_keypoints'] = np.asarray(instances.keypoints, dtype=np.float64)
        arrays[f'{stem}_keypoint_scores'] = np.asarray(instances.keypoint_scores, np.float32)
        arrays[f'{stem}_instance_scores'] = np.asarray(instances.bbox_scores, np.float32)
    np.savez(path, **arrays)
    return arrays


@pytest.fixture(scope='session')
def edge_model(repo_root: Path, coco_mini: Path, learning_seed: int, tmp_path_factory) -> dict:
    """Train, export (fp32 + INT8) and record the full pipeline's predictions, once."""
    import torch
    from mmengine.runner import Runner
    from mmpose.utils import register_all_modules

    import posezoo.pose  # noqa: F401
    from posezoo.apis import init_model
    register_all_modules()
    torch.manual_seed(learning_seed)
    np.random.seed(learning_seed)
    tmp = tmp_path_factory.mktemp('edge_overfit')
    ann_file = _subset(coco_mini, tmp / 'person_keypoints_several.json')
    runner = Runner.from_cfg(_config(repo_root, coco_mini, ann_file, tmp / 'work',
                                     learning_seed))
    runner.train()
    runner.save_checkpoint(str(tmp), 'overfit.pth')
    config = tmp / 'overfit_config.py'
    runner.cfg.dump(str(config))

    onnx_file = tmp / 'edge' / 'bkpose.onnx'
    export = load_tool(repo_root, 'tools/deployment/export_edge.py')
    image = coco_mini / 'train2017' / IMAGES[0]
    result = export.export_edge(str(config), str(tmp / 'overfit.pth'), str(onnx_file),
                                str(image))
    int8_file = tmp / 'edge' / 'bkpose_int8.onnx'
    quantize = load_tool(repo_root, 'tools/deployment/quantize_edge.py')
    quantize.quantize_edge(str(onnx_file), str(coco_mini / 'val2017'), str(int8_file),
                           num_images=16)

    model = init_model(str(config), str(tmp / 'overfit.pth'), device='cpu')
    images = [coco_mini / 'train2017' / name for name in IMAGES]
    predictions = tmp / 'torch_predictions.npz'
    save_predictions(model, images, predictions)
    return dict(config=config, checkpoint=tmp / 'overfit.pth', onnx=onnx_file, int8=int8_file,
                images=images, ann_file=ann_file, predictions=predictions,
                export_error=result['error'])
