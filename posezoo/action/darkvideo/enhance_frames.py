"""Enhance decoded frames at their native resolution, before resizing: the seed's order.

The seed applies Zero-DCE "to the frames of the original video", then resizes them to 112 px.
:class:`EnhanceFrames` runs an enhancer (``ZeroDCE``, ``GammaEnhancer``: anything with
``enhance_clip``) on the decoded uint8 frames of a pipeline, before ``Resize`` and cropping.
With ``keep_raw=True`` it appends the enhanced frames after the raw ones, so that every later
transform (resize, random crop, flip) treats both identically and ``FormatShape`` packs them as
two views ``(2, C, T, H, W)``: view 0 raw (the KD student's input), view 1 enhanced (the teacher's,
``KDRecognizer(teacher_view=1)``).
"""
from typing import Dict

import numpy as np
import torch
from mmaction.registry import MODELS, TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class EnhanceFrames(BaseTransform):
    """Enhance the decoded RGB frames with a (frozen) low-light enhancer.

    Required keys: ``imgs`` (list of ``H x W x 3`` uint8 RGB frames), ``clip_len``,
    ``num_clips``.
    Modified keys: ``imgs`` (enhanced frames; with ``keep_raw`` the raw frames followed by the
    enhanced ones, twice as many).

    Args:
        enhancer (dict): Config of an mmaction ``MODELS`` module with
            ``enhance_clip((N, 3, T, H, W) in [0, 1])``, e.g.
            ``dict(type='ZeroDCE', checkpoint='data/zerodce/Epoch99.pth')``; built here and
            initialised (its checkpoint loaded) at the first clip, so that a config builds
            without the weights; run in eval mode without gradients.
        keep_raw (bool): Keep the raw frames as a first view. Default: False.
        chunk (int): Frames enhanced per forward pass (bounds memory). Default: 16.
        device (str): Device of the enhancer. Default: 'cpu'.
    """

    def __init__(self, enhancer: dict, keep_raw: bool = False, chunk: int = 16,
                 device: str = 'cpu') -> None:
        self.enhancer_cfg = enhancer
        self.enhancer = MODELS.build(enhancer)
        self.enhancer.eval().requires_grad_(False)
        self._initialised = False
        self.keep_raw = keep_raw
        self.chunk = chunk
        self.device = device

    @torch.no_grad()
    def enhance(self, frames: np.ndarray) -> np.ndarray:
        """Enhance ``(T, H, W, 3)`` uint8 RGB frames; returns the same shape and dtype."""
        if not self._initialised:  # ZeroDCE loads its `checkpoint` here
            self.enhancer.init_weights()
            self.enhancer.to(self.device).eval().requires_grad_(False)
            self._initialised = True
        out = []
        for start in range(0, len(frames), self.chunk):
            clip = torch.from_numpy(frames[start:start + self.chunk]).to(self.device)
            clip = clip.permute(3, 0, 1, 2)[None].float() / 255.0  # (1, 3, t, H, W)
            enhanced = self.enhancer.enhance_clip(clip)[0].permute(1, 2, 3, 0)
            out.append((enhanced.clamp(0, 1) * 255.0).round().to(torch.uint8).cpu().numpy())
        return np.concatenate(out)

    def transform(self, results: Dict) -> Dict:
        imgs = results.get('imgs')
        name = results.get('filename', '<unknown video>')
        if not imgs:
            raise KeyError(f'EnhanceFrames: no decoded frames under "imgs" ({name})')
        frames = np.stack(imgs)
        if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3:
            raise TypeError(f'EnhanceFrames expects H x W x 3 uint8 frames, got '
                            f'{frames.dtype} {frames.shape[1:]} ({name})')
        enhanced = list(self.enhance(frames))
        results['imgs'] = list(imgs) + enhanced if self.keep_raw else enhanced
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(enhancer={self.enhancer_cfg}, '
                f'keep_raw={self.keep_raw}, chunk={self.chunk}, device={self.device!r})')
