"""BK-Pose model: size, shapes, loss, attention switch, L2 -> focal L2 hook, inference."""
import copy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmpose.apis import inference_bottomup, init_model
from mmpose.registry import HOOKS, MODELS
from mmpose.structures import PoseDataSample

import posezoo.pose  # noqa: F401
from posezoo.pose.bkpose import BKPoseHeatmap, pool_pyramid

ROOT = Path(__file__).resolve().parents[3]
CONFIG_DIR = ROOT / 'configs' / 'body_2d_keypoint' / 'bkpose'
COCO_CONFIG = CONFIG_DIR / 'coco' / 'bkpose_1xb8-60e_coco-512x512.py'


@pytest.fixture(scope='module')
def coco_model():
    init_default_scope('mmpose')
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(COCO_CONFIG).model)


def test_parameter_count(coco_model, capsys):
    total = sum(p.numel() for p in coco_model.parameters())
    backbone = sum(p.numel() for p in coco_model.backbone.parameters())
    with capsys.disabled():
        print(f'\nBK-Pose COCO parameters: {total:,} (backbone {backbone:,}, head '
              f'{total - backbone:,}); paper: 2.4M')
    assert 2_000_000 <= total <= 3_000_000


def test_multiscale_multistack_shapes(coco_model):
    with torch.no_grad():
        feats = coco_model.extract_feat(torch.rand(1, 3, 256, 256))
        heatmaps = coco_model.head(feats)
    assert len(feats) == len(heatmaps) == 10
    sizes = [4, 8, 16, 32, 64] * 2  # a 512 input gives [8, 16, 32, 64, 128]
    channels = [192, 160, 128, 96, 64] * 2
    for f, h, s, c in zip(feats, heatmaps, sizes, channels):
        assert f.shape == (1, c, s, s)
        assert h.shape == (1, 36, s, s)


def test_any_input_size_forward(coco_model):
    with torch.no_grad():
        out = coco_model.head(coco_model.extract_feat(torch.rand(1, 3, 200, 333)))
    assert out[-1].shape == (1, 36, 50, 84)  # ceil(200 / 4), ceil(333 / 4)
    assert out[0].shape == (1, 36, 4, 6)


def test_spatial_attention_switch():
    init_default_scope('mmpose')
    cfg = Config.fromfile(COCO_CONFIG).model.backbone
    with_gate = MODELS.build(cfg)
    cfg.spatial_attention = False
    without = MODELS.build(cfg)
    gates = [m for m in with_gate.modules() if type(m).__name__ == 'SpatialAttention']
    assert len(gates) == 10
    assert not any(type(m).__name__ == 'SpatialAttention' for m in without.modules())
    assert sum(p.numel() for p in with_gate.parameters()) - sum(
        p.numel() for p in without.parameters()) == 10 * (2 * 7 * 7 + 1)


def _samples(num: int = 2):
    codec = BKPoseHeatmap((256, 256), (64, 64))
    samples = []
    for i in range(num):
        kpts = np.array([[[50 + 20 * i + 5 * k % 25, 40 + 10 * k] for k in range(17)]],
                        np.float32)
        enc = codec.encode(kpts, np.ones((1, 17)))
        mask = np.ones((64, 64), np.float32)
        mask[:, :10] = 0
        sample = PoseDataSample()
        sample.gt_fields = PixelData(heatmaps=torch.from_numpy(enc['heatmaps']),
                                     heatmap_mask=torch.from_numpy(mask))
        samples.append(sample)
    return samples


def test_loss_backward_and_mask(coco_model):
    head = coco_model.head
    samples = _samples()
    feats = coco_model.extract_feat(torch.rand(2, 3, 256, 256))
    losses = head.loss(feats, samples)
    assert set(losses) == {'loss_kpt'} and torch.isfinite(losses['loss_kpt'])
    losses['loss_kpt'].backward()
    grads = [p.grad for p in coco_model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
    coco_model.zero_grad()
    # the loss ignores masked pixels: changing the predictions there changes nothing
    preds = [p.detach() for p in head(tuple(f.detach() for f in feats))]
    target = torch.stack([s.gt_fields.heatmaps for s in samples])
    mask = torch.stack([s.gt_fields.heatmap_mask.reshape(1, 64, 64) for s in samples])
    targets = pool_pyramid(target, [p.shape[-2:] for p in preds])
    masks = [1 - torch.nn.functional.adaptive_max_pool2d(1 - mask, p.shape[-2:]) for p in preds]
    base = head.loss_module(preds, targets, masks)
    noisy = [p.clone() for p in preds]
    noisy[-1][..., :10] += 5.0  # masked columns of the full-resolution output
    assert head.loss_module(noisy, targets, masks).item() == pytest.approx(base.item())


def test_focal_switch_hook():
    init_default_scope('mmpose')
    model = SimpleNamespace(head=SimpleNamespace(loss_module=MODELS.build(
        dict(type='FocalL2Loss', num_keypoints=17, focal=False))))
    hook = HOOKS.build(dict(type='FocalL2SwitchHook', switch_epoch=24))
    logger = MMLogger.get_instance('test_bkpose_hook')
    for epoch, focal in [(0, False), (23, False), (24, True), (59, True), (3, False)]:
        hook.before_train_epoch(SimpleNamespace(model=model, epoch=epoch, logger=logger))
        assert model.head.loss_module.focal is focal


@pytest.fixture(scope='module')
def inferencer():
    torch.manual_seed(0)
    cfg = Config.fromfile(COCO_CONFIG)
    # a smaller test input keeps the test fast; the geometry is the same as at 512
    cfg.test_dataloader.dataset.pipeline[1].input_size = (128, 128)
    return init_model(cfg, None, device='cpu')


@pytest.mark.parametrize('shape', [(480, 640), (700, 230), (97, 400), (128, 128)])
def test_inference_any_size(inferencer, shape):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (*shape, 3), dtype=np.uint8)
    result = inference_bottomup(inferencer, image)[0].pred_instances
    num = len(result)
    assert result.keypoints.shape == (num, 17, 2)
    assert result.keypoint_scores.shape == (num, 17)
    if num:  # keypoints come back in image coordinates
        h, w = shape
        assert result.keypoints[..., 0].min() > -w * 0.1 and result.keypoints[..., 0].max() < w * 1.1
        assert result.keypoints[..., 1].min() > -h * 0.1 and result.keypoints[..., 1].max() < h * 1.1


def test_no_person_gives_empty_result(inferencer):
    # a model that sees nothing: the final layers output 0 everywhere
    model = copy.deepcopy(inferencer)
    for layer in model.head.final_layers:
        torch.nn.init.zeros_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    image = np.full((300, 450, 3), 128, np.uint8)
    result = inference_bottomup(model, image)[0].pred_instances
    assert len(result) == 0
    assert result.keypoints.shape == (0, 17, 2)
