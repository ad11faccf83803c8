"""BK-Pose's network rewritten for a faster ONNX graph: the same function, other operators.

The spatial-attention gates (:class:`posezoo.pose.bkpose.bkpose_net.SpatialAttention`) pool
the channels by their mean and max, which export as ``ReduceMean`` / ``ReduceMax`` over axis 1;
ONNX Runtime's CPU reductions over the channel axis of an NCHW tensor are slow (and its
blocked-layout convolutions need a reorder around them), OpenVINO's are not.
:class:`ExportSpatialAttention` computes the channel mean as a 1x1 convolution with weights
1/C and the channel max as a tree of elementwise maxima of channel halves, both of which run
in ONNX Runtime's vectorised kernels. The max is exact (maxima do not round); the mean differs
from ``x.mean(1)`` by float32 rounding only. :func:`onnx_friendly` swaps the gates of a copy of
a network; the weights are shared with the original, nothing else changes.
"""
import copy

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from posezoo.pose.bkpose.bkpose_net import SpatialAttention


def channel_max_tree(x: Tensor) -> Tensor:
    """(B, C, H, W) -> (B, 1, H, W) max over the channels, as elementwise maxima of halves
    (an odd channel is carried to the next step)."""
    while x.shape[1] > 1:
        channels = int(x.shape[1])
        half = channels // 2
        pairs = torch.maximum(x[:, :half], x[:, half:2 * half])
        x = pairs if channels % 2 == 0 else torch.cat([pairs, x[:, 2 * half:]], dim=1)
    return x


class ExportSpatialAttention(nn.Module):
    """:class:`SpatialAttention` with export-friendly channel pooling (same ``conv``).
    (B, C, H, W) -> same."""

    def __init__(self, gate: SpatialAttention) -> None:
        super().__init__()
        self.conv = gate.conv

    def forward(self, x: Tensor) -> Tensor:
        channels = int(x.shape[1])
        mean = F.conv2d(x, x.new_full((1, channels, 1, 1), 1.0 / channels))
        pooled = torch.cat([mean, channel_max_tree(x)], dim=1)
        return x * torch.sigmoid(self.conv(pooled))


def onnx_friendly(network: nn.Module) -> nn.Module:
    """A copy of ``network`` (parameters shared) whose spatial-attention gates are
    :class:`ExportSpatialAttention`; the copy is in eval mode."""
    network = copy.copy(network)
    network.__dict__['_modules'] = dict(network._modules)
    _swap(network)
    return network.eval()


def _swap(module: nn.Module) -> None:
    for name, child in list(module.named_children()):
        if isinstance(child, SpatialAttention):
            module._modules[name] = ExportSpatialAttention(child)
            continue
        child = copy.copy(child)
        child.__dict__['_modules'] = dict(child._modules)
        module._modules[name] = child
        _swap(child)
