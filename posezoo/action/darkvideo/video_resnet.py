"""R(2+1)D in torchvision's ``VideoResNet`` layout, registered as an mmaction backbone.

The R(2+1)D-34 of the dark-video KD seed, of R(2+1)D-BERT (Kalfaoglu et al. 2020) and of
DarkLight is torchvision's ``VideoResNet`` with ``R2Plus1dStem`` (a 1x7x7 convolution to 45
channels, then 3x1x1 to 64, no max-pool), ``BasicBlock`` residual units of ``Conv2Plus1D`` and
1x1x1 shortcut convolutions; a 112 px clip ends on a 7 x 7 map (MMAction2's ``ResNet2Plus1d``
is a different network and ends on 4 x 4). The IG65M weights published for PyTorch
(``ig65m-pytorch``) use this key layout, with the Caffe2 width of the middle planes in the first
block of stages 2-4 (``caffe2_midplanes=True``) and BatchNorm ``eps=1e-3``, ``momentum=0.9``;
``tools/model_converters/ig65m2posezoo.py`` turns them into a posezoo checkpoint.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from mmengine.runner import load_checkpoint
from torchvision.models.video.resnet import BasicBlock, Conv2Plus1D, R2Plus1dStem, VideoResNet


@MODELS.register_module()
class TorchvisionR2Plus1d(BaseModule):
    """torchvision's R(2+1)D ``VideoResNet`` without its pooling and classifier.

    The modules are torchvision's own (``stem``, ``layer1`` ... ``layer4``), so a state dict of
    ``torchvision.models.video.r2plus1d_18`` or of an IG65M R(2+1)D-34 (without ``fc.*``) loads
    with the same keys.

    Args:
        depth (int): 10, 18 or 34 (``BasicBlock`` counts (1,1,1,1), (2,2,2,2), (3,4,6,3)).
        num_stages (int): Residual stages kept (1-4); stage ``i`` has ``64 * 2**i`` channels.
            Fewer stages give small test networks in the same layout. Default: 4.
        out_indices (sequence[int]): Stages whose outputs are returned. Default: the last.
        caffe2_midplanes (bool): Give the first block of stages 2-4 the middle width of the
            Caffe2 models (288 / 576 / 1152, as the IG65M checkpoints have) instead of
            torchvision's (230 / 460 / 921). Default: False.
        norm_eps (float): BatchNorm eps (torchvision 1e-5, IG65M 1e-3). Default: 1e-5.
        norm_momentum (float): BatchNorm momentum (torchvision 0.1; ig65m-pytorch sets 0.9).
            Default: 0.1.
        norm_eval (bool): Keep BatchNorm layers in eval mode during training. Default: False.
        frozen_stages (int): Freeze the stem (0) and stages ``1..frozen_stages``; -1: none.
        pretrained (str, optional): Checkpoint in this layout (e.g. from
            ``tools/model_converters/ig65m2posezoo.py``, keys with or without ``backbone.``).
        init_cfg (dict, optional): Initialisation config.
    """

    arch_settings = {10: (1, 1, 1, 1), 18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}
    caffe2_widths = {2: 288, 3: 576, 4: 1152}

    def __init__(self,
                 depth: int = 34,
                 num_stages: int = 4,
                 out_indices: Sequence[int] = (-1, ),
                 caffe2_midplanes: bool = False,
                 norm_eps: float = 1e-5,
                 norm_momentum: float = 0.1,
                 norm_eval: bool = False,
                 frozen_stages: int = -1,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in self.arch_settings:
            raise KeyError(f'TorchvisionR2Plus1d: invalid depth {depth} '
                           f'(one of {sorted(self.arch_settings)})')
        if not 1 <= num_stages <= 4:
            raise ValueError(f'TorchvisionR2Plus1d: num_stages must be 1-4, got {num_stages}')
        net = VideoResNet(BasicBlock, [Conv2Plus1D] * 4, list(self.arch_settings[depth]),
                          R2Plus1dStem)
        if caffe2_midplanes:
            for stage in range(2, 5):
                planes = 64 * 2**(stage - 1)
                block = getattr(net, f'layer{stage}')[0]
                block.conv2[0] = Conv2Plus1D(planes, planes, self.caffe2_widths[stage])
        for m in net.modules():
            if isinstance(m, nn.BatchNorm3d):
                m.eps, m.momentum = norm_eps, norm_momentum
        self.stem = net.stem
        self.layer_names = [f'layer{i}' for i in range(1, num_stages + 1)]
        for name in self.layer_names:
            self.add_module(name, getattr(net, name))
        self.out_indices = tuple(i % num_stages for i in out_indices)
        self.depth = depth
        self.num_stages = num_stages
        self.norm_eval = norm_eval
        self.frozen_stages = frozen_stages
        self.pretrained = pretrained
        self._freeze_stages()

    def init_weights(self) -> None:
        """torchvision's initialisation (done at construction) or ``pretrained`` weights."""
        if self.pretrained:
            logger = MMLogger.get_current_instance()
            load_checkpoint(self, self.pretrained, map_location='cpu', strict=True,
                            logger=logger, revise_keys=[(r'^backbone\.', '')])
        else:
            super().init_weights()

    def _freeze_stages(self) -> None:
        modules = [self.stem] + [getattr(self, n) for n in self.layer_names]
        for module in modules[:self.frozen_stages + 1]:
            module.eval()
            module.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...] | torch.Tensor:
        """
        Args:
            x (Tensor): Clips ``(N, 3, T, H, W)``.

        Returns:
            Tensor | tuple[Tensor]: Stage outputs ``(N, 64 * 2**i, T_i, H_i, W_i)`` for
            ``out_indices`` (one tensor if one index); a 64 x 112 x 112 clip ends on
            ``(N, 512, 8, 7, 7)`` with 4 stages.
        """
        x = self.stem(x)
        outs = []
        for i, name in enumerate(self.layer_names):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return outs[0] if len(outs) == 1 else tuple(outs)

    def train(self, mode: bool = True) -> 'TorchvisionR2Plus1d':
        """Set the mode; frozen stages and, with ``norm_eval``, BatchNorm stay in eval mode."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
