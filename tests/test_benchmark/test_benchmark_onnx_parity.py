"""ONNX export of BK-Pose and HigherHRNet: ONNX Runtime matches PyTorch on a real COCO image.

The exported graph is the network up to the heatmaps (decoding stays in Python). The check
feeds COCO val2017 image 000000350679 (9 people) through the config's test pipeline (resized to
256 on the short side here to keep the test fast on 2 CPU cores; the tool checks the full
512 input), at batch 1 and at batch 2 (image + mirror), which exercises the dynamic batch axis.
"""
import os.path as osp

import onnx
import pytest
import torch

from posezoo.apis import init_model, preprocess
from posezoo.deployment import InferenceNetwork, export_onnx, max_abs_error, ort_session, run_ort

CONFIGS = {
    'bkpose': 'configs/body_2d_keypoint/bkpose/coco/bkpose_1xb8-60e_coco-512x512.py',
    'higherhrnet':
    'configs/body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py',
}
IMAGE = 'val2017/000000350679.jpg'
TOLERANCE = 1e-4


@pytest.fixture
def one_thread():
    """Single-threaded torch and ONNX Runtime: fast and stable on a shared 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _small_pipeline(model: torch.nn.Module, short_side: int = 256) -> None:
    """Resize to ``short_side`` instead of the config's 512 (test speed only)."""
    steps = [s for s in model.cfg.test_dataloader.dataset.pipeline
             if s['type'] in ('BottomupResize', 'HigherHRNetResize')]
    assert steps, 'the test pipeline has no bottom-up resize'
    for step in steps:
        step['input_size'] = (short_side, short_side)


@pytest.mark.parametrize('key', ['bkpose', pytest.param('higherhrnet', marks=pytest.mark.slow)])
def test_onnx_matches_pytorch_on_real_image(key, repo_root, coco_mini, tmp_path, one_thread):
    torch.manual_seed(0)
    model = init_model(str(repo_root / CONFIGS[key]))
    _small_pipeline(model)
    network = InferenceNetwork(model, 'pose').eval()
    x1 = preprocess(model, str(coco_mini / IMAGE))['inputs']
    assert x1.shape[:2] == (1, 3) and min(x1.shape[-2:]) == 256

    path = str(tmp_path / f'{key}.onnx')
    names = export_onnx(network, x1, path, opset=17)
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    assert max(o.version for o in graph.opset_import if o.domain in ('', 'ai.onnx')) >= 17
    assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'
    assert [o.name for o in graph.graph.output] == names

    session = ort_session(path)
    x2 = torch.cat([x1, x1.flip(-1)])
    for label, x in (('batch 1', x1), ('batch 2', x2)):
        with torch.no_grad():
            reference = network(x)
        outputs = run_ort(session, x)
        assert [o.shape for o in outputs] == [tuple(r.shape) for r in reference]
        error = max_abs_error(reference, outputs)
        scale = max(float(r.abs().max()) for r in reference)
        print(f'{key} ONNX vs PyTorch on {osp.basename(IMAGE)} {tuple(x.shape)} {label}: '
              f'max abs error {error:.3e} (largest |output| {scale:.3g})')
        assert scale > 1e-2  # the outputs are not trivially small
        assert error <= TOLERANCE


def test_max_abs_error_detects_mismatch():
    import numpy as np
    ref = [torch.zeros(1, 2, 3, 3)]
    assert max_abs_error(ref, [np.zeros((1, 2, 3, 3), np.float32)]) == 0.0
    bad = np.zeros((1, 2, 3, 3), np.float32)
    bad[0, 1, 2, 2] = 0.5
    assert max_abs_error(ref, [bad]) == 0.5
    with pytest.raises(ValueError, match='shape'):
        max_abs_error(ref, [np.zeros((1, 2, 3, 4), np.float32)])
    with pytest.raises(ValueError, match='outputs'):
        max_abs_error(ref, [])
