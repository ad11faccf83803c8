"""Frame-level image ViT for video: torchvision's ``VisionTransformer`` applied to every frame.

Seed ``002``'s classifier (its Fig. 2): an image ViT classifies the frames and a BERT head
(:class:`~posezoo.action.darkvideo.BERTHead`) replaces temporal average pooling. Each frame's
CLS feature (after the final LayerNorm) becomes one temporal token.

At the seed's 112 x 112 input a 16-px patch grid has 7 x 7 patches (49 + CLS = 50 tokens).
ImageNet weights (torchvision's ``vit_b_16`` IMAGENET1K_V1, made at 224 px: 14 x 14 patches)
load directly: a torchvision state dict (``conv_proj.*``, ``class_token``, ``encoder.*``,
``heads.*``) is mapped onto this module's ``vit.*`` keys, ``heads.*`` is dropped and the
position embeddings are interpolated from 14 x 14 to 7 x 7 with torchvision's own
``interpolate_embeddings`` (bicubic, ``align_corners=True``; the CLS embedding is kept).
"""
from collections import OrderedDict
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torchvision.models.vision_transformer import VisionTransformer, interpolate_embeddings

TORCHVISION_TOP_LEVEL = ('conv_proj', 'class_token', 'encoder', 'heads')


@MODELS.register_module()
class FrameViT(BaseModule):
    """Image ViT run on each frame of a clip; returns per-frame CLS features.

    Args:
        image_size (int): Frame size (square); a multiple of ``patch_size``.
        patch_size (int): Patch size.
        num_layers (int): Encoder layers (12 for ViT-B).
        num_heads (int): Attention heads (12 for ViT-B).
        hidden_dim (int): Token width D (768 for ViT-B).
        mlp_dim (int): MLP hidden width (3072 for ViT-B).
        dropout (float): Dropout of the encoder.
        attention_dropout (float): Dropout of the attention weights.
        frames_per_pass (int, optional): Largest number of frames sent through the ViT at once
            (bounds the activation memory); ``None`` sends all ``N * T`` frames together.
        init_cfg (dict, optional): E.g. ``dict(type='Pretrained', checkpoint=<torchvision
            vit_b_16 file or URL>)``; torchvision's layout is converted while loading.
    """

    def __init__(self, image_size: int = 112, patch_size: int = 16, num_layers: int = 12,
                 num_heads: int = 12, hidden_dim: int = 768, mlp_dim: int = 3072,
                 dropout: float = 0.0, attention_dropout: float = 0.0,
                 frames_per_pass: Optional[int] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if image_size % patch_size != 0:
            raise ValueError(f'FrameViT: image_size={image_size} is not a multiple of '
                             f'patch_size={patch_size}')
        self.image_size = image_size
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.frames_per_pass = frames_per_pass
        self.vit = VisionTransformer(
            image_size=image_size, patch_size=patch_size, num_layers=num_layers,
            num_heads=num_heads, hidden_dim=hidden_dim, mlp_dim=mlp_dim, dropout=dropout,
            attention_dropout=attention_dropout)
        self.vit.heads = nn.Identity()
        self._register_load_state_dict_pre_hook(self._from_torchvision_layout)

    def _from_torchvision_layout(self, state_dict: Dict[str, torch.Tensor], prefix: str,
                                 *args) -> None:
        """Rename torchvision ViT keys to ``vit.*``, drop ``heads.*``, resize position embeddings.

        Runs before loading (in place on ``state_dict``), for ``load_state_dict`` and for
        MMEngine's ``load_checkpoint`` alike.
        """
        theirs = [k for k in state_dict if k.startswith(prefix)
                  and k[len(prefix):].split('.', 1)[0] in TORCHVISION_TOP_LEVEL]
        if not theirs:
            return
        tv = OrderedDict((k[len(prefix):], state_dict.pop(k)) for k in theirs)
        tv = OrderedDict((k, v) for k, v in tv.items() if not k.startswith('heads.'))
        if 'encoder.pos_embedding' in tv:
            tv = self.resize_pos_embedding(tv)
        for key, value in tv.items():
            state_dict[f'{prefix}vit.{key}'] = value

    def resize_pos_embedding(self, tv_state: 'OrderedDict[str, torch.Tensor]'
                             ) -> 'OrderedDict[str, torch.Tensor]':
        """Interpolate ``encoder.pos_embedding`` of a torchvision state dict to this grid.

        Args:
            tv_state (OrderedDict): torchvision-layout tensors; ``encoder.pos_embedding`` is
                ``(1, 1 + S * S, D)`` for an ``S x S`` patch grid.

        Returns:
            OrderedDict: The same tensors, the position embeddings ``(1, 1 + G * G, D)`` for
            this model's ``G = image_size / patch_size`` (unchanged when already that size).
        """
        grid = self.image_size // self.patch_size
        if tv_state['encoder.pos_embedding'].shape[1] == grid * grid + 1:
            return tv_state
        return interpolate_embeddings(self.image_size, self.patch_size, tv_state)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """
        Args:
            x (Tensor): Clips ``(N, C, T, H, W)`` with ``H = W = image_size``.

        Returns:
            Tensor: Per-frame CLS features ``(N, D, T)``.
        """
        n, c, t, h, w = x.shape
        frames = x.transpose(1, 2).reshape(n * t, c, h, w)
        step = self.frames_per_pass or frames.shape[0]
        feats = torch.cat([self.vit(chunk) for chunk in frames.split(step)], dim=0)
        return feats.view(n, t, -1).transpose(1, 2)
