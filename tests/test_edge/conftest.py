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
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from bkpose_overfit import overfit_config, subset_annotations

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
    ann_file = subset_annotations(coco_mini / 'annotations' / 'person_keypoints_train2017.json',
                                  IMAGES, tmp / 'person_keypoints_several.json')
    runner = Runner.from_cfg(overfit_config(repo_root, coco_mini, ann_file, tmp / 'work',
                                            learning_seed, len(IMAGES), INPUT, ITERS))
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
