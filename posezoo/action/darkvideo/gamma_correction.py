"""Gamma Intensity Correction (GIC), the cheap enhancement of DarkLight (Chen et al., 2021).

``out = in ** (1 / gamma)`` on intensities in ``[0, 1]``; ``gamma > 1`` brightens dark frames.
Offered as a pipeline transform (on decoded uint8 frames) and as an in-model enhancer module
(on ``N x C x T x H x W`` clips in ``[0, 1]``), so a teacher can use either GIC or Zero-DCE.
"""
from typing import Dict, Optional

import numpy as np
import torch
from mmaction.registry import MODELS, TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.model import BaseModule


@TRANSFORMS.register_module()
class GammaIntensityCorrection(BaseTransform):
    """Brighten decoded frames with ``255 * (img / 255) ** (1 / gamma)`` (a lookup table).

    Required keys: ``imgs`` (list of ``H x W x 3`` uint8 frames).
    Modified keys: ``imgs`` (same shapes, uint8).

    Args:
        gamma (float): Correction exponent; must be positive, ``> 1`` brightens.
    """

    def __init__(self, gamma: float = 2.0) -> None:
        if gamma <= 0:
            raise ValueError(f'GammaIntensityCorrection: gamma must be > 0, got {gamma}')
        self.gamma = gamma
        levels = np.arange(256, dtype=np.float64) / 255.0
        self.lut = np.clip(np.round(255.0 * levels ** (1.0 / gamma)), 0, 255).astype(np.uint8)

    def transform(self, results: Dict) -> Dict:
        if 'imgs' not in results:
            raise KeyError('GammaIntensityCorrection needs the decoded frames under "imgs"')
        imgs = results['imgs']
        for img in imgs:
            if img.dtype != np.uint8:
                raise TypeError(f'GammaIntensityCorrection expects uint8 frames, got {img.dtype}'
                                f' for {results.get("filename", "<unknown video>")}')
        results['imgs'] = [self.lut[img] for img in imgs]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(gamma={self.gamma})'


@MODELS.register_module()
class GammaEnhancer(BaseModule):
    """In-model GIC enhancer with the same interface as ``ZeroDCE.enhance_clip``.

    Args:
        gamma (float): Correction exponent, ``> 1`` brightens.
        init_cfg (dict, optional): Unused (no parameters); kept for the BaseModule interface.
    """

    def __init__(self, gamma: float = 2.0, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if gamma <= 0:
            raise ValueError(f'GammaEnhancer: gamma must be > 0, got {gamma}')
        self.gamma = gamma

    def enhance_clip(self, clips: torch.Tensor) -> torch.Tensor:
        """
        Args:
            clips (Tensor): Clips in ``[0, 1]``, shape ``(N, 3, T, H, W)``.

        Returns:
            Tensor: Corrected clips, same shape.
        """
        return clips.clamp(min=0).pow(1.0 / self.gamma)
