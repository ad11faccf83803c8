"""Zero-DCE: official-weight parity, the four losses against hand-computed values, a short
training run on real low-light photographs."""
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import posezoo.action  # noqa: F401
from posezoo.action.darkvideo import (
    ZeroDCE,
    ZeroDCEColorConstancyLoss,
    ZeroDCEExposureLoss,
    ZeroDCEIlluminationSmoothnessLoss,
    ZeroDCESpatialConsistencyLoss,
)

from shared_data import REPO_ROOT, require_data


@pytest.fixture(scope='module')
def zerodce_dir(shared_path) -> Path:
    """Official weights, low-light photos and reference outputs (env POSEZOO_ZERODCE_FIXTURE)."""
    path = shared_path('POSEZOO_ZERODCE_FIXTURE', 'data', 'zerodce')
    require_data(path / 'Epoch99.pth', 'official Zero-DCE weights')
    return path


def load_rgb(path: Path) -> torch.Tensor:
    """A PNG as a ``(1, 3, H, W)`` float32 RGB tensor in [0, 1] (PNG / 255)."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float32) / 255.0
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None]


def test_parity_with_official_outputs(zerodce_dir):
    model = ZeroDCE(checkpoint=str(zerodce_dir / 'Epoch99.pth'))
    model.init_weights()
    model.eval()
    refs = np.load(zerodce_dir / 'reference_outputs.npz')
    assert len(refs.files) == 4
    worst = 0.0
    for stem in sorted(refs.files):
        with torch.no_grad():
            out = model(load_rgb(zerodce_dir / f'{stem}.png'))
        ref = refs[stem]
        got = out[0].permute(1, 2, 0).numpy()
        assert got.shape == ref.shape
        err = float(np.abs(got - ref).max())
        print(f'Zero-DCE parity {stem}: max abs error {err:.3e}')
        worst = max(worst, err)
    print(f'Zero-DCE parity: worst max abs error {worst:.3e} over {len(refs.files)} images')
    assert worst < 1e-4


def test_curves_shapes_and_clip_frame_by_frame():
    torch.manual_seed(0)
    model = ZeroDCE()
    model.init_weights()
    frames = torch.rand(6, 3, 16, 20)
    enhanced, curves = model.enhance(frames)
    assert enhanced.shape == (6, 3, 16, 20) and curves.shape == (6, 24, 16, 20)
    assert curves.abs().max() <= 1
    assert enhanced.min() >= 0 and enhanced.max() <= 1
    clips = frames.reshape(2, 3, 3, 16, 20).permute(0, 2, 1, 3, 4)  # (N, C, T, H, W)
    out = model.enhance_clip(clips)
    assert out.shape == clips.shape
    torch.testing.assert_close(out.permute(0, 2, 1, 3, 4).reshape(6, 3, 16, 20), enhanced)


def test_apply_curves_hand_computed():
    x = torch.full((1, 3, 1, 1), 0.5)
    curves = torch.full((1, 6, 1, 1), -1.0)  # two iterations of x + (-1)(x^2 - x) = 2x - x^2
    out = ZeroDCE.apply_curves(x, curves)
    step1 = 2 * 0.5 - 0.25
    assert out.flatten()[0].item() == pytest.approx(2 * step1 - step1 ** 2)


def test_exposure_loss_hand_computed():
    img = torch.full((2, 3, 32, 32), 0.2)
    assert ZeroDCEExposureLoss()(img).item() == pytest.approx(10 * (0.2 - 0.6) ** 2, rel=1e-5)
    img[:, :, :16, :16] = 0.6  # one of four patches on target
    assert ZeroDCEExposureLoss(loss_weight=1.0)(img).item() == pytest.approx(
        3 / 4 * 0.16, rel=1e-5)


def test_color_constancy_loss_hand_computed():
    img = torch.empty(1, 3, 4, 4)
    img[:, 0], img[:, 1], img[:, 2] = 0.5, 0.3, 0.1
    expected = 5 * math.sqrt(0.2 ** 4 + 0.4 ** 4 + 0.2 ** 4)
    assert ZeroDCEColorConstancyLoss()(img).item() == pytest.approx(expected, rel=1e-5)


def test_illumination_smoothness_loss_hand_computed():
    curves = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    # vertical: (2^2 + 2^2) / ((2-1)*2) = 4; horizontal: (1 + 1) / (2*(2-1)) = 1; 2 * 5 / N=1
    assert ZeroDCEIlluminationSmoothnessLoss(loss_weight=1.0)(curves).item() == pytest.approx(10.0)
    assert ZeroDCEIlluminationSmoothnessLoss()(curves.repeat(2, 1, 1, 1)).item() == pytest.approx(
        200 * 10.0)


def test_spatial_consistency_loss_hand_computed():
    original = torch.zeros(1, 3, 4, 8)  # 4x4 pooling: one row of two regions, both 0
    enhanced = torch.zeros(1, 3, 4, 8)
    enhanced[:, :, :, :4] = 0.4  # regions [0.4, 0.0]
    # region 0: differences to left/right/up/down (zero padding) are all 0.4 -> 4 * 0.16
    # region 1: only the left difference is non-zero (-0.4) -> 0.16; mean over regions = 0.4
    loss = ZeroDCESpatialConsistencyLoss()(enhanced, original)
    assert loss.item() == pytest.approx(0.4, rel=1e-5)
    assert ZeroDCESpatialConsistencyLoss()(original, original).item() == 0.0


@pytest.mark.learning
def test_short_training_run_lowers_loss_and_brightens(zerodce_dir, tmp_path, learning_seed,
                                                      figure):
    """Train from the official random init (N(0, 0.02)) on the four real low-light photos
    through ``Runner.from_cfg`` with the Zero-DCE training config."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs/recognition/darkvideo_kd/zerodce/'
            'zerodce_1xb8-100e_sice-256x256.py'))
    cfg.work_dir = str(tmp_path)
    cfg.train_dataloader.dataset.data_prefix = dict(img=str(zerodce_dir))
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.dataset.pipeline[1].scale = (64, 64)
    cfg.train_cfg.max_epochs = 20
    cfg.optim_wrapper.optimizer.lr = 5e-3
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1000)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10)
    cfg.randomness = dict(seed=learning_seed, deterministic=True)
    runner = Runner.from_cfg(cfg)

    images = torch.cat([
        torch.nn.functional.interpolate(load_rgb(zerodce_dir / f'{s}.png'), size=(64, 64),
                                        mode='area')
        for s in sorted(np.load(zerodce_dir / 'reference_outputs.npz').files)])

    def evaluate(model):
        model.eval()
        with torch.no_grad():
            total = sum(v.item() for v in model.loss(images).values())
            brightness = model(images).mean().item()
        return total, brightness

    model = runner.model
    model.init_weights()
    loss0, bright0 = evaluate(model)
    runner.train()
    loss1, bright1 = evaluate(runner.model)
    print(f'Zero-DCE training: loss {loss0:.4f} -> {loss1:.4f}, mean brightness {bright0:.3f} -> '
          f'{bright1:.3f} (target 0.6, input {images.mean().item():.3f})')
    figure('loss reduction 1 - loss1 / loss0', 1 - loss1 / loss0, 0.08)
    figure('brightness gap closed (|b0 - 0.6| - |b1 - 0.6|)', abs(bright0 - 0.6) - abs(bright1 - 0.6),
           0.05)
    assert loss1 < 0.92 * loss0
    assert abs(bright1 - 0.6) < abs(bright0 - 0.6) - 0.05
