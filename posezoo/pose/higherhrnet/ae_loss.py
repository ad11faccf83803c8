"""The associative-embedding loss of the official HigherHRNet (batch mean, "exp" push loss).

MMPose 1.x's ``AssociativeEmbeddingLoss`` sums the per-image losses over the batch and keeps the
diagonal of the push matrix (a constant 1 / (N - 1)); with the official factors (0.001) the AE
term would grow with the batch size. This loss reproduces the official definition.
"""
from typing import List, Tuple

import torch
from mmpose.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class HigherHRNetAELoss(nn.Module):
    """Pull/push associative-embedding loss, averaged over the images of a batch.

    For one image with instances n = 1..N, each with the tags t_{n,k} of its M_n visible
    keypoints (tag dimension L) and mean tag m_n::

        pull = 1/N * sum_n mean_k ||t_{n,k} - m_n||^2 / L
        push = 0.5 / (N (N - 1)) * sum_{n != n'} exp(-||m_n - m_n'||^2)     (0 if N < 2)

    Args:
        pull_loss_factor (float): weight of the pull loss. Defaults to 0.001 (official).
        push_loss_factor (float): weight of the push loss. Defaults to 0.001 (official).
    """

    def __init__(self, pull_loss_factor: float = 0.001, push_loss_factor: float = 0.001) -> None:
        super().__init__()
        self.pull_loss_factor = pull_loss_factor
        self.push_loss_factor = push_loss_factor

    @staticmethod
    def _per_image(tags: Tensor, keypoint_indices: Tensor) -> Tuple[Tensor, Tensor]:
        """tags (L*K, H, W), keypoint_indices (N, K, 2) -> (pull, push) scalars."""
        K = keypoint_indices.shape[1]
        C, H, W = tags.shape
        tags = tags.reshape(C // K, K, H * W)
        pulls: List[Tensor] = []
        means: List[Tensor] = []
        for indices in keypoint_indices:
            visible = indices[:, 1] > 0
            if not visible.any():
                continue
            kpt_tags = tags[:, visible.nonzero()[:, 0], indices[visible, 0]].t()  # (M, L)
            mean = kpt_tags.mean(dim=0)
            pulls.append(((kpt_tags - mean)**2).mean())
            means.append(mean)
        zero = tags.sum() * 0
        if not means:
            return zero, zero
        pull = torch.stack(pulls).mean()
        N = len(means)
        if N < 2:
            return pull, zero
        mean_tags = torch.stack(means)  # (N, L)
        dist2 = (mean_tags[:, None] - mean_tags[None]).pow(2).sum(dim=-1)
        off_diagonal = ~torch.eye(N, dtype=torch.bool, device=dist2.device)
        push = torch.exp(-dist2[off_diagonal]).sum() / (N * (N - 1)) * 0.5
        return pull, push

    def forward(self, tags: Tensor, keypoint_indices: List[Tensor]) -> Tuple[Tensor, Tensor]:
        """Compute the batch-mean pull and push losses.

        Args:
            tags (Tensor): (B, L*K, H, W) tag maps.
            keypoint_indices (List[Tensor]): B tensors (N_i, K, 2) of ``[y * W + x, visible]``.

        Returns:
            tuple: pull loss and push loss (scalars), already multiplied by their factors.
        """
        if tags.shape[0] != len(keypoint_indices):
            raise ValueError(f'{tags.shape[0]} tag maps but {len(keypoint_indices)} '
                             'keypoint index tensors')
        losses = [self._per_image(t, i) for t, i in zip(tags, keypoint_indices)]
        pull = torch.stack([p for p, _ in losses]).mean()
        push = torch.stack([p for _, p in losses]).mean()
        return pull * self.pull_loss_factor, push * self.push_loss_factor
