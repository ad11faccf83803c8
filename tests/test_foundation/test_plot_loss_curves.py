"""tools/analysis/plot_loss_curves.py: TensorBoard's smoothing on hand-computed values, and a PNG
from two real (tiny) MMEngine training runs."""
import importlib.util

import cv2
import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

from shared_data import REPO_ROOT


def _tool():
    spec = importlib.util.spec_from_file_location(
        'plot_loss_curves', REPO_ROOT / 'tools' / 'analysis' / 'plot_loss_curves.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_smoothing_hand_computed():
    tool = _tool()
    # w = 0.8: m = 0.2, 0.2 * 0.8 + 0.2 * 0 = 0.16, 0.128 + 0.2 * 3 = 0.728
    # debiased by 1 - 0.8^t = 0.2, 0.36, 0.488
    np.testing.assert_allclose(tool.smooth([1.0, 0.0, 3.0]), [1.0, 0.16 / 0.36, 0.728 / 0.488])
    np.testing.assert_allclose(tool.smooth([5.0, 5.0, 5.0]), 5.0)  # debiased: no ramp from 0
    assert tool.smooth([1.0, 2.0], weight=0.0).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError):
        tool.smooth([1.0], weight=1.0)


class _Regression(BaseModel):
    """y = w x on noisy data: a loss that falls and is noisy, like a real one."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.layer = nn.Sequential(nn.Linear(8, width), nn.ReLU(), nn.Linear(width, 1))

    def forward(self, inputs, targets=None, mode='tensor'):
        loss = (self.layer(inputs).squeeze(-1) - targets).pow(2).mean()
        return {'loss': loss} if mode == 'loss' else [loss]


def _train(work_dir, width: int) -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, 8, generator=gen)
    y = x.sum(1) + 0.3 * torch.randn(64, generator=gen)
    data = [dict(inputs=x[i], targets=y[i]) for i in range(64)]
    Runner(model=_Regression(width), work_dir=str(work_dir),
           train_dataloader=dict(dataset=data, batch_size=4, collate_fn=dict(type='default_collate'),
                                 sampler=dict(type='DefaultSampler', shuffle=True)),
           train_cfg=dict(by_epoch=False, max_iters=30), optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.02)),
           default_hooks=dict(logger=dict(type='LoggerHook', interval=1), checkpoint=None),
           default_scope='mmengine', randomness=dict(seed=0), log_level='WARNING').train()


def test_png_from_two_real_runs(tmp_path, capsys):
    tool = _tool()
    for name, width in (('small', 4), ('large', 256)):
        _train(tmp_path / name, width)
    out = tmp_path / 'loss.png'
    summary = tool.main([str(tmp_path / 'small'), str(tmp_path / 'large'), '--labels', 'small',
                         'large', '--out', str(out)])
    print(capsys.readouterr().out)
    image = cv2.imread(str(out))
    assert image is not None and image.shape == (420, 1500, 3)
    for run in summary:
        assert run['records'] == 30 and run['mean_time'] > 0 and run['seconds'] > 0
        raw = tool.read_scalars(str(tmp_path / run['label']))
        assert raw['iter'].tolist() == list(range(1, 31))
        # the smoothed curve is smoother than the raw one: smaller step-to-step changes
        assert np.abs(np.diff(tool.smooth(raw['loss']))).sum() < np.abs(np.diff(raw['loss'])).sum()
        assert run['last_smoothed'] < raw['loss'][0]  # both runs learn
