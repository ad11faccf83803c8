"""Focal L2 loss (eq. 2-4) against hand-computed values."""
import pytest
import torch

from posezoo.pose.bkpose import FocalL2Loss

# K = 1 keypoint channel (weight eta + 1 = 3) and 1 body-part channel (weight 1); 4 pixels in a
# row: easy foreground, hard foreground, easy background, hard background.
TARGET = [0.9, 0.9, 0.0, 0.0]
PRED = [0.85, 0.1, 0.005, 0.6]
# alpha = 0.1, beta = 0.02, gamma = 2, thre = 0.01:
#   easy fg: Sd = 0.85 - 0.1 = 0.75,      (1 - Sd)^2 = 0.0625,  (S - S*)^2 = 0.0025
#   hard fg: Sd = 0.1 - 0.1 = 0,          (1 - Sd)^2 = 1,       (S - S*)^2 = 0.64
#   easy bg: Sd = 1 - 0.005 - 0.02 = 0.975, (1 - Sd)^2 = 0.000625, (S - S*)^2 = 0.000025
#   hard bg: Sd = 1 - 0.6 - 0.02 = 0.38,  (1 - Sd)^2 = 0.3844,  (S - S*)^2 = 0.36
PIXEL_LOSS = [0.0025 * 0.0625, 0.64 * 1.0, 0.000025 * 0.000625, 0.36 * 0.3844]


def _maps(values, channels=2):
    return torch.tensor(values, dtype=torch.float64).view(1, 1, 1, -1).repeat(1, channels, 1, 1)


def _loss(**kwargs) -> FocalL2Loss:
    return FocalL2Loss(num_keypoints=1, **kwargs)


@pytest.mark.parametrize('pixel', range(4))
def test_single_pixels_hand_computed(pixel):
    loss = _loss()
    mask = torch.zeros(1, 1, 4, dtype=torch.float64)
    mask[..., pixel] = 1
    value = loss.single_scale(_maps(PRED), _maps(TARGET), mask)
    # keypoint channel weighs eta + 1 = 3, body-part channel 1
    expected = (3 + 1) * PIXEL_LOSS[pixel]
    print(f'pixel {pixel}: {value.item():.10f} (expected {expected:.10f})')
    assert value.item() == pytest.approx(expected, rel=1e-9)


def test_hard_pixels_dominate_easy_ones():
    assert PIXEL_LOSS[1] > 1e3 * PIXEL_LOSS[0]
    assert PIXEL_LOSS[3] > 1e3 * PIXEL_LOSS[2]


def test_mask_and_eta():
    loss = _loss(eta=5.0)
    mask = torch.tensor([[[1.0, 0.0, 1.0, 0.0]]], dtype=torch.float64)  # drops the hard pixels
    value = loss.single_scale(_maps(PRED), _maps(TARGET), mask).item()
    expected = (6 + 1) * (PIXEL_LOSS[0] + PIXEL_LOSS[2])
    assert value == pytest.approx(expected, rel=1e-9)
    # only the keypoint channel carries eta: a pure body-part map is unaffected
    limb_only = FocalL2Loss(num_keypoints=0, eta=5.0)
    value = limb_only.single_scale(_maps(PRED, 1), _maps(TARGET, 1), mask).item()
    assert value == pytest.approx(PIXEL_LOSS[0] + PIXEL_LOSS[2], rel=1e-9)


def test_batch_mean_and_sum_over_pixels():
    loss = _loss()
    pred = torch.cat([_maps(PRED), _maps(TARGET)])  # the second image is perfect
    value = loss.single_scale(pred, torch.cat([_maps(TARGET)] * 2),
                              torch.ones(2, 1, 4, dtype=torch.float64)).item()
    assert value == pytest.approx(4 * sum(PIXEL_LOSS) / 2, rel=1e-9)


def test_scale_weights_lambda():
    loss = _loss(scale_weights=(0.1, 6.4))
    mask = torch.ones(1, 1, 4, dtype=torch.float64)
    one = loss.single_scale(_maps(PRED), _maps(TARGET), mask).item()
    # two stacks x two scales: the first scale of each stack weighs 0.1, the second 6.4;
    # in the second stack the first scale is perfect
    preds = [_maps(PRED), _maps(PRED), _maps(TARGET), _maps(PRED)]
    value = loss(preds, [_maps(TARGET)] * 4, [mask] * 4).item()
    assert value == pytest.approx(0.1 * one + 6.4 * one + 0 + 6.4 * one, rel=1e-9)
    with pytest.raises(ValueError, match='scale weights'):
        loss(preds[:3], [_maps(TARGET)] * 3, [mask] * 3)


def test_paper_defaults():
    loss = _loss()
    assert (loss.alpha, loss.beta, loss.gamma, loss.thre, loss.eta) == (0.1, 0.02, 2.0, 0.01, 2.0)
    assert loss.scale_weights == (0.1, 0.2, 0.4, 1.6, 6.4)


def test_reduces_to_masked_l2():
    torch.manual_seed(0)
    pred = torch.randn(3, 36, 8, 8, dtype=torch.float64)  # also outside [0, 1]
    target = torch.rand(3, 36, 8, 8, dtype=torch.float64) * (torch.rand(3, 36, 8, 8) > 0.7)
    mask = (torch.rand(3, 8, 8) > 0.2).double()
    loss = FocalL2Loss(num_keypoints=17, gamma=0.0, alpha=0.0, beta=0.0, eta=0.0,
                       scale_weights=(1, 1, 1, 1, 1))
    l2 = ((pred - target) ** 2 * mask[:, None]).flatten(1).sum(1).mean()
    assert loss.single_scale(pred, target, mask).item() == pytest.approx(l2.item(), rel=1e-12)
    total = loss([pred] * 5, [target] * 5, [mask] * 5)
    assert total.item() == pytest.approx(5 * l2.item(), rel=1e-12)
    # the plain-L2 switch gives the same with the paper's gamma
    plain = FocalL2Loss(num_keypoints=17, eta=0.0, focal=False)
    assert plain.single_scale(pred, target, mask).item() == pytest.approx(l2.item(), rel=1e-12)


@pytest.mark.parametrize('gamma', [0.5, 2.0])
def test_gradients_outside_unit_interval(gamma):
    """|1 - Sd|^gamma keeps penalising predictions beyond the target on both sides: above
    1 + alpha on the foreground and below -beta on the background (where the former clamp of
    1 - Sd gave zero gradient), with the sign that pulls them back."""
    loss = FocalL2Loss(num_keypoints=1, gamma=gamma)
    # foreground above 1 + alpha = 1.1; background below -beta = -0.02
    pred = torch.tensor([1.5, 1.2, -0.5, -0.05, 3.0], dtype=torch.float64)
    target = torch.tensor([1.0, 1.0, 0.0, 0.0, 0.0], dtype=torch.float64)
    pred = pred.view(1, 1, 1, -1).repeat(1, 2, 1, 1).requires_grad_()
    target = target.view(1, 1, 1, -1).repeat(1, 2, 1, 1)
    value = loss.single_scale(pred, target, torch.ones(1, 1, 5, dtype=torch.float64))
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(pred.grad).all()
    grad = pred.grad[0, :, 0]  # (2 channels, 5 pixels)
    assert (grad[:, [0, 1, 4]] > 0).all()  # too high: gradient descent lowers them
    assert (grad[:, [2, 3]] < 0).all()  # below the background: raised
    # hand-computed: foreground S = 1.5, S* = 1: |1 - Sd| = |1 - 1.4| = 0.4;
    # d/dS [(S - S*)^2 |1 - Sd|^g] = 2 (S - S*) 0.4^g + (S - S*)^2 g 0.4^(g - 1)
    expected = 2 * 0.5 * 0.4 ** gamma + 0.25 * gamma * 0.4 ** (gamma - 1)
    assert grad[0, 0].item() == pytest.approx(3 * expected, rel=1e-9)  # keypoint weight 3
    # background S = -0.5: |1 - Sd| = |-0.5 + 0.02| = 0.48, d|1 - Sd|/dS = -1
    expected = 2 * -0.5 * 0.48 ** gamma - 0.25 * gamma * 0.48 ** (gamma - 1)
    assert grad[1, 2].item() == pytest.approx(expected, rel=1e-9)


def test_gradient_finite_where_factor_vanishes():
    """1 - Sd = 0 exactly (foreground S = alpha + 1): finite gradient for gamma < 1 too."""
    loss = FocalL2Loss(num_keypoints=1, gamma=0.5)
    pred = torch.full((1, 1, 1, 1), 1.1, dtype=torch.float64, requires_grad=True)
    value = loss.single_scale(pred, torch.ones(1, 1, 1, 1, dtype=torch.float64),
                              torch.ones(1, 1, 1, dtype=torch.float64))
    value.backward()
    assert torch.isfinite(pred.grad).all() and value.item() < 1e-6


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match='differ in shape'):
        _loss().single_scale(torch.zeros(1, 2, 4, 4), torch.zeros(1, 2, 2, 2), torch.ones(1, 4, 4))
