"""The four non-reference losses of Zero-DCE (Guo et al., CVPR 2020), as in the official code.

All take RGB images in ``[0, 1]`` of shape ``(N, 3, H, W)`` (the smoothness loss: curve maps
``(N, 3 * K, H, W)``) and return ``loss_weight`` times a scalar (:class:`WeightedLoss`).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS


class WeightedLoss(nn.Module):
    """A loss that returns ``loss_weight * self.unweighted(*inputs)``, a scalar tensor.

    Args:
        loss_weight (float): Weight of the loss.
    """

    def __init__(self, loss_weight: float) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def unweighted(self, *inputs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * self.unweighted(*inputs)


@MODELS.register_module()
class ZeroDCESpatialConsistencyLoss(WeightedLoss):
    """Spatial consistency: keep the 4-neighbour contrast of ``pool_size`` regions.

    The channel mean of both images is average-pooled with ``pool_size``; for every region the
    differences to its left/right/up/down neighbours (zero padding at the border, as in the
    official code) must match between the enhanced and the input image:
    ``mean_{N,regions} sum_{4 neighbours} ((Y_i - Y_j) - (I_i - I_j)) ** 2``.

    Args:
        pool_size (int): Region size (4 in the paper).
        loss_weight (float): Weight (1 in the paper).
    """

    def __init__(self, pool_size: int = 4, loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight)
        self.pool_size = pool_size
        kernels = torch.zeros(4, 1, 3, 3)
        kernels[:, 0, 1, 1] = 1
        kernels[0, 0, 1, 0] = -1  # left
        kernels[1, 0, 1, 2] = -1  # right
        kernels[2, 0, 0, 1] = -1  # up
        kernels[3, 0, 2, 1] = -1  # down
        self.register_buffer('kernels', kernels, persistent=False)

    def unweighted(self, enhanced: torch.Tensor, original: torch.Tensor) -> torch.Tensor:
        """``enhanced`` images and the ``original`` low-light ones, both ``(N, 3, H, W)``."""
        diffs = []
        for img in (enhanced, original):
            pooled = F.avg_pool2d(img.mean(1, keepdim=True), self.pool_size)
            diffs.append(F.conv2d(pooled, self.kernels.to(pooled), padding=1))
        return (diffs[0] - diffs[1]).pow(2).sum(1).mean()


@MODELS.register_module()
class ZeroDCEExposureLoss(WeightedLoss):
    """Exposure control: mean squared distance of ``patch_size`` patch intensities to ``target``.

    Args:
        patch_size (int): Patch size (16 in the paper).
        target (float): Well-exposedness level E (0.6 in the paper).
        loss_weight (float): Weight (10 in the paper).
    """

    def __init__(self, patch_size: int = 16, target: float = 0.6, loss_weight: float = 10.0) -> None:
        super().__init__(loss_weight)
        self.patch_size = patch_size
        self.target = target

    def unweighted(self, enhanced: torch.Tensor) -> torch.Tensor:
        """``enhanced`` images ``(N, 3, H, W)``."""
        patches = F.avg_pool2d(enhanced.mean(1, keepdim=True), self.patch_size)
        return (patches - self.target).pow(2).mean()


@MODELS.register_module()
class ZeroDCEColorConstancyLoss(WeightedLoss):
    """Colour constancy (grey world): ``sqrt(sum_{(p,q)} (J_p - J_q) ** 4)`` over the channel means.

    ``J_p`` is the mean of channel ``p``; the pairs are (R, G), (R, B), (G, B); averaged over the batch.

    Args:
        loss_weight (float): Weight (5 in the paper).
    """

    def __init__(self, loss_weight: float = 5.0) -> None:
        super().__init__(loss_weight)

    def unweighted(self, enhanced: torch.Tensor) -> torch.Tensor:
        """``enhanced`` images ``(N, 3, H, W)``."""
        r, g, b = enhanced.mean((2, 3)).unbind(1)
        return ((r - g).pow(4) + (r - b).pow(4) + (g - b).pow(4)).sqrt().mean()


@MODELS.register_module()
class ZeroDCEIlluminationSmoothnessLoss(WeightedLoss):
    """Illumination smoothness: total variation of the curve maps, as in the official ``L_TV``.

    ``2 * (sum dh ** 2 / ((H - 1) * W) + sum dw ** 2 / (H * (W - 1))) / N`` with the sums over
    the batch and all curve channels.

    Args:
        loss_weight (float): Weight (200 in the paper).
    """

    def __init__(self, loss_weight: float = 200.0) -> None:
        super().__init__(loss_weight)

    def unweighted(self, curves: torch.Tensor) -> torch.Tensor:
        """``curves``: curve maps ``(N, 3 * K, H, W)``."""
        n, _, h, w = curves.shape
        h_tv = (curves[:, :, 1:, :] - curves[:, :, :-1, :]).pow(2).sum() / ((h - 1) * w)
        w_tv = (curves[:, :, :, 1:] - curves[:, :, :, :-1]).pow(2).sum() / (h * (w - 1))
        return 2 * (h_tv + w_tv) / n
