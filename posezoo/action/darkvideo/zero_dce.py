"""Zero-DCE low-light enhancer (Guo et al., "Zero-Reference Deep Curve Estimation", CVPR 2020).

DCE-Net predicts 8 pixel-wise quadratic curves (3 channels each) that are applied iteratively,
``x <- x + r_n * (x ** 2 - x)``. The parameter names follow the official implementation
(``e_conv1`` ... ``e_conv7``) so that its ``Epoch99.pth`` loads as it is.

The module is an mmengine ``BaseModel``: ``mode='tensor'`` enhances images, ``mode='loss'`` returns
the four non-reference losses (so ``tools/train.py`` trains it from a config), ``mode='predict'``
returns the enhanced images. Inside a recognizer use :meth:`ZeroDCE.enhance_clip` on
``N x C x T x H x W`` clips.
"""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModel
from mmengine.runner import load_checkpoint

ForwardResults = Union[torch.Tensor, Dict[str, torch.Tensor], List[torch.Tensor]]


@MODELS.register_module()
class ZeroDCE(BaseModel):
    """DCE-Net (7 convolutions, symmetric skip concatenations) + iterative curve enhancement.

    Args:
        num_iterations (int): Number of curve iterations (8 in the paper; the net predicts
            ``3 * num_iterations`` curve maps).
        mid_channels (int): Width of the hidden convolutions (32 in the paper).
        loss_spa (dict): Spatial consistency loss config.
        loss_exp (dict): Exposure control loss config.
        loss_col (dict): Colour constancy loss config.
        loss_tv (dict): Illumination smoothness loss config (on the curve maps).
        checkpoint (str, optional): Official (``e_conv*`` keys) or mmengine checkpoint loaded in
            :meth:`init_weights`.
        data_preprocessor (dict, optional): Used when trained on its own; it must give RGB images
            in ``[0, 1]`` (e.g. ``ImgDataPreprocessor`` with ``mean=0, std=255, bgr_to_rgb=True``).
        init_cfg (dict, optional): Initialisation config. Defaults to the official N(0, 0.02)
            weights and zero biases.
    """

    def __init__(self,
                 num_iterations: int = 8,
                 mid_channels: int = 32,
                 loss_spa: dict = dict(type='ZeroDCESpatialConsistencyLoss', loss_weight=1.0),
                 loss_exp: dict = dict(type='ZeroDCEExposureLoss', loss_weight=10.0),
                 loss_col: dict = dict(type='ZeroDCEColorConstancyLoss', loss_weight=5.0),
                 loss_tv: dict = dict(type='ZeroDCEIlluminationSmoothnessLoss', loss_weight=200.0),
                 checkpoint: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Conv2d', mean=0.0, std=0.02, bias=0.0)) -> None:
        if data_preprocessor is not None and isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.num_iterations = num_iterations
        self.checkpoint = checkpoint
        c = mid_channels
        self.e_conv1 = nn.Conv2d(3, c, 3, 1, 1)
        self.e_conv2 = nn.Conv2d(c, c, 3, 1, 1)
        self.e_conv3 = nn.Conv2d(c, c, 3, 1, 1)
        self.e_conv4 = nn.Conv2d(c, c, 3, 1, 1)
        self.e_conv5 = nn.Conv2d(2 * c, c, 3, 1, 1)
        self.e_conv6 = nn.Conv2d(2 * c, c, 3, 1, 1)
        self.e_conv7 = nn.Conv2d(2 * c, 3 * num_iterations, 3, 1, 1)
        self.loss_spa = MODELS.build(loss_spa)
        self.loss_exp = MODELS.build(loss_exp)
        self.loss_col = MODELS.build(loss_col)
        self.loss_tv = MODELS.build(loss_tv)

    def init_weights(self) -> None:
        """Initialise from ``init_cfg``, then load ``checkpoint`` when given."""
        super().init_weights()
        if self.checkpoint is not None:
            load_checkpoint(self, self.checkpoint, map_location='cpu', strict=True)

    def curves(self, x: torch.Tensor) -> torch.Tensor:
        """Predict the curve parameter maps.

        Args:
            x (Tensor): RGB images in ``[0, 1]``, shape ``(N, 3, H, W)``.

        Returns:
            Tensor: Curve maps in ``[-1, 1]``, shape ``(N, 3 * num_iterations, H, W)``.
        """
        x1 = F.relu(self.e_conv1(x))
        x2 = F.relu(self.e_conv2(x1))
        x3 = F.relu(self.e_conv3(x2))
        x4 = F.relu(self.e_conv4(x3))
        x5 = F.relu(self.e_conv5(torch.cat([x3, x4], 1)))
        x6 = F.relu(self.e_conv6(torch.cat([x2, x5], 1)))
        return torch.tanh(self.e_conv7(torch.cat([x1, x6], 1)))

    @staticmethod
    def apply_curves(x: torch.Tensor, curves: torch.Tensor) -> torch.Tensor:
        """Apply ``x <- x + r * (x ** 2 - x)`` once per 3-channel curve map.

        Args:
            x (Tensor): Images in ``[0, 1]``, shape ``(N, 3, H, W)``.
            curves (Tensor): Curve maps, shape ``(N, 3 * K, H, W)``.

        Returns:
            Tensor: Enhanced images in ``[0, 1]``, shape ``(N, 3, H, W)``.
        """
        for r in torch.split(curves, 3, dim=1):
            x = x + r * (torch.pow(x, 2) - x)
        return x

    def enhance(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Enhance a batch of images.

        Args:
            x (Tensor): RGB images in ``[0, 1]``, shape ``(N, 3, H, W)``.

        Returns:
            tuple[Tensor, Tensor]: The enhanced images ``(N, 3, H, W)`` and the curve maps
            ``(N, 3 * num_iterations, H, W)``.
        """
        curves = self.curves(x)
        return self.apply_curves(x, curves), curves

    def enhance_clip(self, clips: torch.Tensor) -> torch.Tensor:
        """Enhance video clips frame by frame.

        Args:
            clips (Tensor): RGB clips in ``[0, 1]``, shape ``(N, 3, T, H, W)``.

        Returns:
            Tensor: Enhanced clips, shape ``(N, 3, T, H, W)``.
        """
        n, c, t, h, w = clips.shape
        frames = clips.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
        enhanced, _ = self.enhance(frames)
        return enhanced.reshape(n, t, c, h, w).permute(0, 2, 1, 3, 4)

    def loss(self, inputs: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The four weighted non-reference losses on a batch of low-light images.

        Args:
            inputs (Tensor): RGB low-light images in ``[0, 1]``, shape ``(N, 3, H, W)``.

        Returns:
            dict[str, Tensor]: ``loss_spa``, ``loss_exp``, ``loss_col``, ``loss_tv`` (scalars).
        """
        enhanced, curves = self.enhance(inputs)
        return dict(
            loss_spa=self.loss_spa(enhanced, inputs),
            loss_exp=self.loss_exp(enhanced),
            loss_col=self.loss_col(enhanced),
            loss_tv=self.loss_tv(curves))

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> ForwardResults:
        """Enhance (``'tensor'``), compute losses (``'loss'``) or predict (``'predict'``).

        Args:
            inputs (Tensor): RGB images in ``[0, 1]``, shape ``(N, 3, H, W)``.
            data_samples (list, optional): Unused (the losses need no reference).
            mode (str): ``'tensor'``, ``'loss'`` or ``'predict'``.

        Returns:
            Tensor ``(N, 3, H, W)`` for ``'tensor'``, a loss dict for ``'loss'``, a list of
            ``(3, H, W)`` enhanced images for ``'predict'``.
        """
        if mode == 'loss':
            return self.loss(inputs)
        enhanced, _ = self.enhance(inputs)
        if mode == 'tensor':
            return enhanced
        if mode == 'predict':
            return list(enhanced)
        raise ValueError(f'ZeroDCE.forward: invalid mode {mode!r} (tensor, loss or predict)')
