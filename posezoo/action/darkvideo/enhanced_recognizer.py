"""A 3D recognizer that enhances its (normalised) input clips before the backbone: the KD teacher."""
from typing import Optional, Tuple

import torch
from mmaction.models.recognizers import Recognizer3D
from mmaction.registry import MODELS
from mmaction.utils import OptSampleList


@MODELS.register_module()
class EnhancedRecognizer3D(Recognizer3D):
    """``Recognizer3D`` with a low-light enhancer (``ZeroDCE``, ``GammaEnhancer``) applied per frame.

    The data preprocessor normalises the raw clips as usual; the recognizer undoes the
    normalisation (``x * std + mean``, clipped to ``[0, 255]`` and divided by 255), enhances the
    RGB clips in ``[0, 1]`` frame by frame and normalises the result again before the backbone.
    The preprocessor must therefore give RGB clips in ``NCTHW`` format with a mean and std.

    Args:
        enhancer (dict): Enhancer config; it must provide ``enhance_clip((N, 3, T, H, W))``.
        freeze_enhancer (bool): Keep the enhancer fixed (no gradients, eval mode). Defaults to
            True, as in the seed (Zero-DCE is pretrained, the classifier is trained).
        **kwargs: ``backbone``, ``cls_head``, ``data_preprocessor``, ... of ``Recognizer3D``.
    """

    def __init__(self, enhancer: dict, freeze_enhancer: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.enhancer = MODELS.build(enhancer)
        self.freeze_enhancer = freeze_enhancer
        if freeze_enhancer:
            self.enhancer.requires_grad_(False)
        for name in ('mean', 'std'):
            if getattr(self.data_preprocessor, name, None) is None:
                raise ValueError('EnhancedRecognizer3D needs a data preprocessor with mean and std '
                                 f'(to recover pixel values), got {type(self.data_preprocessor)}')
        if getattr(self.data_preprocessor, 'format_shape', 'NCTHW') != 'NCTHW':
            raise ValueError('EnhancedRecognizer3D needs format_shape="NCTHW" in the preprocessor')

    def train(self, mode: bool = True) -> 'EnhancedRecognizer3D':
        """Set train/eval mode; a frozen enhancer stays in eval mode."""
        super().train(mode)
        if self.freeze_enhancer:
            self.enhancer.eval()
        return self

    def enhance(self, inputs: torch.Tensor) -> torch.Tensor:
        """Enhance normalised clips.

        Args:
            inputs (Tensor): Normalised clips ``(N, [V,] C, T, H, W)``.

        Returns:
            Tensor: Normalised enhanced clips, same shape.
        """
        mean = self.data_preprocessor.mean
        std = self.data_preprocessor.std
        shape = inputs.shape
        clips = ((inputs * std + mean) / 255.0).clamp(0.0, 1.0).reshape(-1, *shape[-4:])
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.freeze_enhancer):
            enhanced = self.enhancer.enhance_clip(clips) * 255.0
        return ((enhanced - mean) / std).reshape(shape)

    def extract_feat(self,
                     inputs: torch.Tensor,
                     stage: str = 'neck',
                     data_samples: OptSampleList = None,
                     test_mode: bool = False) -> Tuple[torch.Tensor, Optional[dict]]:
        """Enhance, then extract features as ``Recognizer3D`` does.

        Args:
            inputs (Tensor): Normalised clips ``(N, V, C, T, H, W)``.
            stage (str): ``'backbone'``, ``'neck'`` or ``'head'``.
            data_samples (list[ActionDataSample], optional): Batch data samples.
            test_mode (bool): Whether in test mode.

        Returns:
            tuple: Features and keyword arguments for the head, as ``Recognizer3D.extract_feat``.
        """
        return super().extract_feat(
            self.enhance(inputs), stage=stage, data_samples=data_samples, test_mode=test_mode)
