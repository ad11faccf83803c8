"""Parity with the official HigherHRNet implementation (golden fixture, both layouts)."""
import json
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from mmpose.registry import MODELS

import posezoo.pose  # noqa: F401  (registers the modules)
from posezoo.pose.higherhrnet import convert_state_dict, model_cfg_from_official


def _build(fixture: Path) -> torch.nn.Module:
    config = json.loads((fixture / 'config.json').read_text())
    model = MODELS.build(model_cfg_from_official(config))
    model.eval()
    return model


def _check(model: torch.nn.Module, fixture: Path, state_dict: dict) -> None:
    model.load_state_dict(state_dict, strict=True)
    io = np.load(fixture / 'io.npz')
    with torch.no_grad():
        outputs = model(torch.from_numpy(io['input']), None, mode='tensor')
    assert len(outputs) == 2
    for name, out in zip(('output_stage0', 'output_stage1'), outputs):
        ref = io[name]
        assert tuple(out.shape) == ref.shape, name
        err = float(np.abs(out.numpy() - ref).max())
        print(f'{fixture.name} {name}: max abs error {err:.3e}')
        assert err <= 1e-4, f'{name}: max abs error {err}'


def test_official_layout_parity(hrnet_fixture: Path) -> None:
    checkpoint = torch.load(hrnet_fixture / 'weights.pth', map_location='cpu', weights_only=True)
    state_dict, layout, unmapped = convert_state_dict(checkpoint, str(hrnet_fixture))
    assert layout == 'official' and unmapped == []
    _check(_build(hrnet_fixture), hrnet_fixture, state_dict)


def test_mmpose0x_layout_parity(hrnet_fixture: Path) -> None:
    official = torch.load(hrnet_fixture / 'weights.pth', map_location='cpu', weights_only=True)
    mmpose0x = OrderedDict(
        (('keypoint_head.' if k.startswith(('final_layers', 'deconv_layers')) else 'backbone.')
         + k, v) for k, v in official.items())
    state_dict, layout, unmapped = convert_state_dict(
        dict(meta=dict(mmpose_version='0.29.0'), state_dict=mmpose0x), 'mmpose0x')
    assert layout == 'mmpose0x' and unmapped == []
    _check(_build(hrnet_fixture), hrnet_fixture, state_dict)
