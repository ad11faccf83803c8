"""Gamma Intensity Correction: the transform and the in-model enhancer."""
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS, TRANSFORMS

import posezoo.action  # noqa: F401


def test_transform_hand_computed():
    gic = TRANSFORMS.build(dict(type='GammaIntensityCorrection', gamma=2.0))
    frame = np.array([[[0, 64, 255]]], dtype=np.uint8).repeat(2, axis=0)
    out = gic(dict(imgs=[frame, frame]))['imgs']
    assert len(out) == 2 and out[0].dtype == np.uint8 and out[0].shape == frame.shape
    # 255 * (64 / 255) ** 0.5 = 127.75 -> 128
    assert out[0][0, 0].tolist() == [0, 128, 255]


def test_transform_rejects_bad_input():
    with pytest.raises(ValueError):
        TRANSFORMS.build(dict(type='GammaIntensityCorrection', gamma=0))
    gic = TRANSFORMS.build(dict(type='GammaIntensityCorrection', gamma=2.0))
    with pytest.raises(TypeError, match='uint8'):
        gic(dict(imgs=[np.zeros((2, 2, 3), np.float32)], filename='v.mp4'))


def test_enhancer_module_matches_transform():
    enhancer = MODELS.build(dict(type='GammaEnhancer', gamma=2.5))
    clips = torch.tensor([0.0, 0.04, 0.25, 1.0]).reshape(1, 1, 4, 1, 1).expand(1, 3, 4, 2, 2)
    out = enhancer.enhance_clip(clips)
    assert out.shape == clips.shape
    expected = torch.tensor([0.0, 0.04 ** 0.4, 0.25 ** 0.4, 1.0])
    torch.testing.assert_close(out[0, 0, :, 0, 0], expected)
