"""BK-Pose backbone: residual stem + stacked BlazeBlock hourglasses ("BK-Pose modules").

Paper section 3.2-3.3. For a 512x512 input (any size works; odd sizes are rounded up by each
down step and the up path resizes to the skip feature's size):

* stem: a stride-2 3x3 conv (3 -> 32) and two residual blocks (He et al.), the first one
  stride 2 (32 -> 64): 512 -> 128, C = 64 channels.
* ``num_stacks`` (2) BK-Pose modules. Each is an encoder-decoder over 5 scales
  (128, 64, 32, 16, 8 for a 512 input) built from BlazeBlocks (depthwise 5x5 + pointwise 1x1,
  residual path; max-pool + zero channel padding on the shortcut when downsampling). Every down
  step halves the size and adds N = 32 channels: 64 -> 96 -> 128 -> 160 -> 192. The up path
  upsamples (nearest neighbour) to the next scale, projects channels with a 1x1 conv and sums
  with the skip feature of that scale.
* Spatial attention (the paper names it without details; posezoo's documented choice):
  a CBAM-style spatial gate (Woo et al. 2018) on every decoder output,
  ``F <- F * sigmoid(conv7x7([mean_c F, max_c F]))``, applied before the feature is read by
  the head and before it is upsampled into the next, finer scale. Turn it off with
  ``spatial_attention=False``.
* The second module's input is the stem feature plus a 1x1 remap of the first module's
  full-resolution output feature (the paper: "use the output feature map of one module as the
  input to the next").

Output: the decoder features of every scale of every stack, stack after stack, coarsest
first: ``num_stacks * 5`` tensors; for a (B, 3, 512, 512) input and stack n they are
(B, 192, 8, 8), (B, 160, 16, 16), (B, 128, 32, 32), (B, 96, 64, 64), (B, 64, 128, 128).
"""
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType
from torch import Tensor, nn


def conv_bn(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
            groups: int = 1, norm_cfg: ConfigType = dict(type='BN')) -> nn.Sequential:
    """Conv (no bias) + normalisation (mmcv ``norm_cfg``, BatchNorm by default), 'same'
    padding."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                  groups=groups, bias=False), build_norm_layer(norm_cfg, out_channels)[1])


class ResidualBlock(nn.Module):
    """Bottleneck residual block (He et al.): 1x1 reduce, 3x3 (stride), 1x1 expand.

    1x1 projection shortcut when the shape changes.
    (B, C_in, H, W) -> (B, C_out, ceil(H / stride), ceil(W / stride)).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 norm_cfg: ConfigType = dict(type='BN')) -> None:
        super().__init__()
        mid = out_channels // 2
        self.body = nn.Sequential(
            conv_bn(in_channels, mid, 1, norm_cfg=norm_cfg), nn.ReLU(inplace=True),
            conv_bn(mid, mid, 3, stride, norm_cfg=norm_cfg), nn.ReLU(inplace=True),
            conv_bn(mid, out_channels, 1, norm_cfg=norm_cfg))
        self.shortcut = (
            conv_bn(in_channels, out_channels, 1, stride, norm_cfg=norm_cfg)
            if stride != 1 or in_channels != out_channels else nn.Identity())

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.body(x) + self.shortcut(x), inplace=True)


class BlazeBlock(nn.Module):
    """BlazeBlock (BlazeFace/BlazePose): depthwise 5x5 + pointwise 1x1 with a residual path.

    Downsampling (``stride=2``) puts a 2x2 max-pool on the shortcut; extra output channels are
    zero-padded on the shortcut.
    (B, C_in, H, W) -> (B, C_out, ceil(H / stride), ceil(W / stride)).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 norm_cfg: ConfigType = dict(type='BN')) -> None:
        super().__init__()
        if out_channels < in_channels:
            raise ValueError(f'BlazeBlock: out_channels ({out_channels}) < in_channels '
                             f'({in_channels})')
        self.depthwise = conv_bn(in_channels, in_channels, 5, stride, groups=in_channels,
                                 norm_cfg=norm_cfg)
        self.pointwise = conv_bn(in_channels, out_channels, 1, norm_cfg=norm_cfg)
        self.pool = (nn.MaxPool2d(2, 2, ceil_mode=True) if stride == 2 else nn.Identity())
        self.pad_channels = out_channels - in_channels

    def forward(self, x: Tensor) -> Tensor:
        shortcut = self.pool(x)
        if self.pad_channels:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, self.pad_channels))
        return F.relu(self.pointwise(self.depthwise(x)) + shortcut, inplace=True)


class SpatialAttention(nn.Module):
    """CBAM spatial gate: ``x * sigmoid(conv7x7(cat(mean_c x, max_c x)))``. (B, C, H, W) -> same."""

    def __init__(self, kernel_size: int = 7) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2)

    def forward(self, x: Tensor) -> Tensor:
        pooled = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.conv(pooled))


class BKPoseModule(nn.Module):
    """One BK-Pose module: a BlazeBlock hourglass over ``len(channels)`` scales.

    Args:
        channels (Sequence[int]): channels per scale, finest first, e.g. (64, 96, 128, 160, 192).
        num_blocks (Sequence[int]): BlazeBlocks per scale (finest first) in the encoder and
            in the decoder.
        spatial_attention (bool): gate every decoder output with :class:`SpatialAttention`.
        norm_cfg (dict): mmcv normalisation config. Default ``dict(type='BN')``.

    Input (B, channels[0], H, W); output the decoder features, coarsest first:
    (B, channels[-1], H / 16, W / 16), ..., (B, channels[0], H, W) (sizes rounded up).
    """

    def __init__(self, channels: Sequence[int], num_blocks: Sequence[int],
                 spatial_attention: bool, norm_cfg: ConfigType = dict(type='BN')) -> None:
        super().__init__()
        if len(num_blocks) != len(channels) or min(num_blocks) < 1:
            raise ValueError(f'BKPoseModule: num_blocks {tuple(num_blocks)} must give >= 1 block '
                             f'for each of the {len(channels)} scales')
        self.encoders = nn.ModuleList()
        for i, (c, n) in enumerate(zip(channels, num_blocks)):
            first = (BlazeBlock(c, c, norm_cfg=norm_cfg) if i == 0 else
                     BlazeBlock(channels[i - 1], c, stride=2, norm_cfg=norm_cfg))
            self.encoders.append(nn.Sequential(
                first, *[BlazeBlock(c, c, norm_cfg=norm_cfg) for _ in range(n - 1)]))
        self.projections = nn.ModuleList([
            conv_bn(channels[i + 1], channels[i], 1, norm_cfg=norm_cfg)
            for i in range(len(channels) - 1)])
        self.decoders = nn.ModuleList([
            nn.Sequential(*[BlazeBlock(c, c, norm_cfg=norm_cfg) for _ in range(n)])
            for c, n in zip(channels, num_blocks)])
        self.attentions = nn.ModuleList([
            SpatialAttention() if spatial_attention else nn.Identity() for _ in channels])

    def forward(self, x: Tensor) -> List[Tensor]:
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)
        last = len(skips) - 1
        y = self.attentions[last](self.decoders[last](skips[last]))
        outs = [y]
        for i in range(last - 1, -1, -1):
            up = F.interpolate(self.projections[i](y), size=skips[i].shape[-2:], mode='nearest')
            y = self.attentions[i](self.decoders[i](skips[i] + up))
            outs.append(y)
        return outs


@MODELS.register_module()
class BKPoseNet(BaseBackbone):
    """BK-Pose backbone: residual stem + ``num_stacks`` BK-Pose modules (see module docstring).

    Args:
        in_channels (int): image channels. Default 3.
        base_channels (int): C, channels of the stem output and the finest scale. Default 64.
        channel_step (int): N, channels added per down step. Default 32.
        num_scales (int): scales per hourglass. Default 5.
        num_stacks (int): stacked BK-Pose modules. Default 2.
        num_blocks (Sequence[int]): BlazeBlocks per scale, finest first, in each encoder and
            decoder. Default (1, 2, 3, 5, 8): the paper gives the size (2.4M parameters with the
            heads), not the depth; posezoo keeps the expensive full-resolution scales shallow
            and spends the parameters on the cheap coarse ones.
        spatial_attention (bool): CBAM-style spatial gates on the decoder outputs. Default True.
        channels_last (bool): run in the channels-last memory format, which makes the depthwise
            convolutions about twice as fast on CPU. Outputs are the same. Default True.
        norm_cfg (dict): mmcv normalisation config of every conv. Default ``dict(type='BN')``
            (the paper's one-GPU recipe); multi-GPU configs use ``dict(type='SyncBN')`` as
            MMPose's do.
        init_cfg: mmengine init config.

    Input (B, 3, H, W), pixels / 255. Output: tuple of ``num_stacks * num_scales`` features,
    stack after stack, each stack coarsest first, the finest at stride 4.
    """

    def __init__(self, in_channels: int = 3, base_channels: int = 64, channel_step: int = 32,
                 num_scales: int = 5, num_stacks: int = 2, num_blocks: Sequence[int] = (1, 2, 3, 5, 8),
                 spatial_attention: bool = True, channels_last: bool = True,
                 norm_cfg: ConfigType = dict(type='BN'), init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.channels_last = channels_last
        self.channels = tuple(base_channels + channel_step * i for i in range(num_scales))
        self.stem = nn.Sequential(
            conv_bn(in_channels, base_channels // 2, 3, stride=2, norm_cfg=norm_cfg),
            nn.ReLU(inplace=True),
            ResidualBlock(base_channels // 2, base_channels, stride=2, norm_cfg=norm_cfg),
            ResidualBlock(base_channels, base_channels, norm_cfg=norm_cfg))
        self.stacks = nn.ModuleList([
            BKPoseModule(self.channels, num_blocks, spatial_attention, norm_cfg=norm_cfg)
            for _ in range(num_stacks)
        ])
        self.remaps = nn.ModuleList([
            conv_bn(base_channels, base_channels, 1, norm_cfg=norm_cfg)
            for _ in range(num_stacks - 1)])

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of the outputs of one stack, coarsest first."""
        return self.channels[::-1]

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        stem = self.stem(x)
        outs: List[Tensor] = []
        feat = stem
        for n, stack in enumerate(self.stacks):
            if n > 0:
                feat = stem + self.remaps[n - 1](outs[-1])
            outs.extend(stack(feat))
        return tuple(outs)
