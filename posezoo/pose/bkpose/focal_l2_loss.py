"""The focal L2 loss of BK-Pose (eq. 2-4 of the paper), registered as ``FocalL2Loss``.

For one predicted heatmap stack ``S`` (B, K+P, H, W) of one scale, its target ``S*`` and the binary
mask ``W`` (B, H, W) (0 on crowd regions and unannotated people)::

    Sd(p) = S(p) - alpha          if S*(p) > thre   (foreground pixel)
          = 1 - S(p) - beta       otherwise         (background pixel)
    FL    = sum_j sum_p [eta * 1(j <= K) + 1] * W(p) * (S(p) - S*(p))^2 * |1 - Sd(p)|^gamma

Choices the paper leaves open, made here:

* The seed prints ``|S - S*|``, but the loss is called an L2 loss (and the "plain L2" baseline
  it is compared with is the squared error), so the squared error is used.
* The modulating factor is ``|1 - Sd|^gamma``, the form of Simple Pose (Li et al., AAAI 2020),
  which BK-Pose builds on. posezoo first clamped ``1 - Sd`` to [0, 1], which gives zero loss and
  zero gradient to a foreground prediction above ``1 + alpha`` or a background one below
  ``-beta``; with the absolute value such predictions keep being pulled back to the target
  (the factor grows with the distance, like the squared error). At ``1 - Sd = 0`` the factor
  vanishes (clamped at 1e-12 before the power: finite gradient for every ``gamma >= 0``).
* ``FL`` is a sum over channels and pixels of each image; images of a batch are averaged.
* With ``focal=False`` the modulating factor is 1: the plain (masked, eta-weighted) L2 loss
  that the paper trains with first. :class:`FocalL2SwitchHook` flips the switch during training.

The total over stacks ``n`` and scales ``i`` (eq. 4) is ``L = sum_n sum_i lambda_i * FL_i^n`` with
``lambda = (0.1, 0.2, 0.4, 1.6, 6.4)`` from the coarsest to the full-resolution scale.
"""
from typing import Sequence

import torch
from mmpose.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class FocalL2Loss(nn.Module):
    """Multi-scale, multi-stack focal L2 loss over keypoint + body-part heatmaps.

    Args:
        num_keypoints (int): K, the number of leading keypoint channels (weighted by ``eta + 1``);
            the remaining channels are body-part (limb) heatmaps (weight 1).
        alpha (float): foreground easiness offset. Default 0.1 (paper).
        beta (float): background easiness offset. Default 0.02 (paper).
        gamma (float): focusing exponent, >= 0. The paper gives no value; default 2 (focal loss).
        thre (float): a target value above ``thre`` marks a foreground pixel. Default 0.01.
        eta (float): extra weight of keypoint channels. Default 2.
        scale_weights (Sequence[float]): lambda_i per scale, coarsest first.
            Default (0.1, 0.2, 0.4, 1.6, 6.4).
        focal (bool): use the focal modulating factor (True) or plain L2 (False). Default True.
        loss_weight (float): global multiplier. Default 1.
    """

    def __init__(self, num_keypoints: int,
                 # the modulating factor (eq. 2)
                 alpha: float = 0.1, beta: float = 0.02, gamma: float = 2.0, thre: float = 0.01,
                 # the weights of channels (eq. 3) and scales (eq. 4)
                 eta: float = 2.0, scale_weights: Sequence[float] = (0.1, 0.2, 0.4, 1.6, 6.4),
                 focal: bool = True, loss_weight: float = 1.0) -> None:
        super().__init__()
        if gamma < 0:
            raise ValueError(f'FocalL2Loss: gamma must be >= 0, got {gamma}')
        self.alpha, self.beta, self.gamma, self.thre = alpha, beta, gamma, thre
        self.num_keypoints, self.eta = num_keypoints, eta
        self.scale_weights = tuple(float(w) for w in scale_weights)
        self.focal = focal
        self.loss_weight = loss_weight

    def single_scale(self, pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
        """FL of one scale (eq. 3), averaged over the batch.

        Args:
            pred (Tensor): predicted heatmaps S, shape (B, C, H, W), C = K + number of links.
            target (Tensor): target heatmaps S*, shape (B, C, H, W).
            mask (Tensor): binary mask W, shape (B, H, W) or (B, 1, H, W) or (B, C, H, W).

        Returns:
            Tensor: scalar loss.
        """
        if pred.shape != target.shape:
            raise ValueError(f'FocalL2Loss: prediction {tuple(pred.shape)} and target '
                             f'{tuple(target.shape)} differ in shape')
        if mask.dim() == 3:
            mask = mask.unsqueeze(1)
        mask = mask.to(pred.dtype)
        channel_weight = torch.ones(pred.shape[1], dtype=pred.dtype, device=pred.device)
        channel_weight[:self.num_keypoints] += self.eta
        loss = (pred - target).pow(2) * mask * channel_weight.view(1, -1, 1, 1)
        if self.focal and self.gamma > 0:  # gamma = 0: the factor is 1 (0^0 = 1)
            foreground = target > self.thre
            sd = torch.where(foreground, pred - self.alpha, 1 - pred - self.beta)
            # the clamp keeps pow's gradient finite at 1 - Sd == 0 when gamma < 1
            loss = loss * (1 - sd).abs().clamp(min=1e-12).pow(self.gamma)
        return loss.flatten(1).sum(1).mean() * self.loss_weight

    def forward(self, preds: Sequence[Tensor], targets: Sequence[Tensor],
                masks: Sequence[Tensor]) -> Tensor:
        """L = sum_n sum_i lambda_i FL_i^n (eq. 4).

        Args:
            preds (Sequence[Tensor]): predictions of every stack and scale, stack after stack,
                each stack coarsest scale first; length ``num_stacks * len(scale_weights)``;
                item shapes (B, C, H_i, W_i).
            targets (Sequence[Tensor]): targets of the same shapes (the same for every stack).
            masks (Sequence[Tensor]): masks (B, H_i, W_i), one per item of ``preds``.

        Returns:
            Tensor: scalar loss.
        """
        num_scales = len(self.scale_weights)
        if len(preds) % num_scales or not len(preds) == len(targets) == len(masks):
            raise ValueError(f'FocalL2Loss: got {len(preds)} predictions, {len(targets)} targets '
                             f'and {len(masks)} masks for {num_scales} scale weights')
        total = preds[0].new_zeros(())
        for k, (pred, target, mask) in enumerate(zip(preds, targets, masks)):
            total = total + self.scale_weights[k % num_scales] * self.single_scale(
                pred, target, mask)
        return total
