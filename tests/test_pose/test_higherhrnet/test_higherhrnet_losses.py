"""Losses with hand-computed values: the official AE pull/push loss and the masked heatmap MSE."""
import math

import pytest
import torch

from posezoo.pose.higherhrnet import HigherHRNetAELoss


def _tags() -> torch.Tensor:
    """(B=2, K=2, H=2, W=2): keypoint 0 has tags 0, 1, 2, 3; keypoint 1 has 0.5 .. 3.5."""
    tags = torch.stack([torch.arange(4.), torch.arange(4.) + 0.5]).view(1, 2, 2, 2)
    return tags.repeat(2, 1, 1, 1).requires_grad_()


def test_ae_loss_hand_computed() -> None:
    tags = _tags()
    indices = [
        torch.tensor([[[0, 1], [1, 1]],    # person A: tags 0.0 and 1.5, mean 0.75
                      [[3, 1], [2, 0]],    # person B: tag 3.0 (keypoint 1 invisible)
                      [[1, 0], [1, 0]]]),  # person C: nothing visible -> ignored
        torch.zeros((0, 2, 2), dtype=torch.long),  # an image without people
    ]
    loss = HigherHRNetAELoss(pull_loss_factor=1.0, push_loss_factor=1.0)
    pull, push = loss(tags, indices)
    # image 1: pull = (0.5625 + 0) / 2, push = 0.5 * exp(-(0.75 - 3)^2); image 2: 0, 0
    assert pull.item() == pytest.approx(0.28125 / 2)
    assert push.item() == pytest.approx(0.5 * math.exp(-5.0625) / 2)
    (pull + push).backward()
    # person A's keypoint 0 tag t: d pull / dt = (t - m_A) / N / B,
    # d push / dt = 0.5 / B * exp(-D) * (-2 (m_A - m_B)) * dm_A/dt, D = (m_A - m_B)^2
    expected = (0.0 - 0.75) / 4 + 0.5 / 2 * math.exp(-5.0625) * 4.5 * 0.5
    assert tags.grad[0, 0, 0, 0].item() == pytest.approx(expected)
    assert tags.grad[1].abs().sum() == 0

    factors = HigherHRNetAELoss(pull_loss_factor=0.001, push_loss_factor=0.01)
    pull2, push2 = factors(_tags(), indices)
    assert pull2.item() == pytest.approx(pull.item() * 0.001)
    assert push2.item() == pytest.approx(push.item() * 0.01)


def test_ae_loss_single_person_has_no_push() -> None:
    pull, push = HigherHRNetAELoss(1.0, 1.0)(_tags()[:1], [torch.tensor([[[0, 1], [3, 1]]])])
    assert pull.item() == pytest.approx(((0 - 1.75)**2 + (3.5 - 1.75)**2) / 2)
    assert push.item() == 0
