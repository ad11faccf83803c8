"""Body-relative keypoint normalisation: hand-computed values, invalid keypoints, invariances."""
import pytest
import torch

from posezoo.action.skeleton.body_norm import SKELETON_LAYOUTS, BodyRelativeNorm


def _coco_person(shift=(0.0, 0.0), scale=1.0) -> torch.Tensor:
    """One COCO-17 pose (17, 3): x, y, score; shoulders at y=0, hips at y=2 (torso length 2)."""
    kpt = torch.zeros(17, 3)
    kpt[:, 2] = 1.0
    kpt[5, :2] = torch.tensor([-1.0, 0.0])  # left shoulder
    kpt[6, :2] = torch.tensor([1.0, 0.0])
    kpt[11, :2] = torch.tensor([-0.5, 2.0])  # left hip
    kpt[12, :2] = torch.tensor([0.5, 2.0])
    kpt[9, :2] = torch.tensor([-2.0, 1.0])  # left wrist
    kpt[0, :2] = torch.tensor([0.0, -1.0])  # nose
    kpt[:, :2] = kpt[:, :2] * scale + torch.tensor(shift)
    return kpt


def test_hand_computed_values():
    x = _coco_person(shift=(10.0, 20.0), scale=3.0)[None, None, None]  # (1, 1, 1, 17, 3)
    out = BodyRelativeNorm(layout='coco', num_coords=2)(x)
    # centre = hip centre (10, 20 + 6); torso length = 2 * 3 = 6
    assert out.shape == x.shape
    torch.testing.assert_close(out[0, 0, 0, 9, :2], torch.tensor([-2.0, 1.0 - 2.0]) / 2)
    torch.testing.assert_close(out[0, 0, 0, 0, :2], torch.tensor([0.0, -1.5]))
    torch.testing.assert_close(out[0, 0, 0, 11, :2], torch.tensor([-0.25, 0.0]))
    torch.testing.assert_close(out[..., 2], x[..., 2])  # scores untouched


def test_clip_level_statistics_keep_motion():
    frames = torch.stack([_coco_person(), _coco_person(shift=(0.0, 2.0))])  # hips drop by 2
    out = BodyRelativeNorm()(frames[None, None])
    # mean hip centre y = (2 + 4) / 2 = 3, torso 2: frame 0 hips at -0.5, frame 1 at +0.5
    torch.testing.assert_close(out[0, 0, :, 11, 1], torch.tensor([-0.5, 0.5]))


def test_invalid_keypoints_ignored_and_zeroed():
    person = _coco_person()
    person[9] = torch.tensor([100.0, 100.0, 0.0])  # invalid wrist far away
    out = BodyRelativeNorm()(person[None, None, None])
    assert out[0, 0, 0, 9].abs().sum() == 0
    torch.testing.assert_close(out[0, 0, 0, 0, :2], torch.tensor([0.0, -1.5]))


def test_invariant_to_translation_and_size_per_person():
    a = _coco_person()
    b = _coco_person(shift=(300.0, -40.0), scale=7.5)
    out = BodyRelativeNorm()(torch.stack([a, b])[None, :, None])  # two people in one clip
    torch.testing.assert_close(out[0, 0], out[0, 1])


def test_fallback_without_hips():
    person = _coco_person()
    person[[11, 12], 2] = 0  # hips missing -> centre of valid keypoints, RMS scale
    x = person[None, None, None]
    out = BodyRelativeNorm()(x)
    valid = person[:, 2] > 0
    pts = person[valid, :2]
    centre = pts.mean(0)
    rms = (pts - centre).pow(2).sum(-1).mean().sqrt()
    torch.testing.assert_close(out[0, 0, 0, valid, :2], (pts - centre) / rms)
    torch.testing.assert_close(BodyRelativeNorm(layout=None)(x), out)


def test_no_score_channel_uses_nonzero_coordinates_and_padding_stays_zero():
    x = torch.zeros(2, 3, 4, 33, 3)  # (N, M, T, V, x/y/z) MediaPipe without visibility
    x[0, 0] = torch.randn(4, 33, 3)
    out = BodyRelativeNorm(layout='mediapipe', num_coords=3)(x)
    assert torch.isfinite(out).all()
    assert out[1].abs().sum() == 0 and out[0, 1:].abs().sum() == 0
    hips = out[0, 0, :, [23, 24]].mean(1).mean(0)  # mean hip centre -> origin
    torch.testing.assert_close(hips, torch.zeros(3), atol=1e-5, rtol=0)


@pytest.mark.parametrize('layout', sorted(SKELETON_LAYOUTS))
def test_layouts_and_shape_checks(layout):
    v = SKELETON_LAYOUTS[layout]['num_joints']
    x = torch.rand(2, 2, 5, v, 3) + 0.1
    out = BodyRelativeNorm(layout=layout)(x)
    assert out.shape == x.shape and torch.isfinite(out).all()
    with pytest.raises(ValueError, match='joints'):
        BodyRelativeNorm(layout=layout)(torch.rand(1, 1, 2, v + 1, 3))
    with pytest.raises(KeyError, match='Unknown keypoint layout'):
        BodyRelativeNorm(layout='openpose25')
