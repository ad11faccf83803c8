"""SE-HRNet: MMPose's HRNet with Squeeze-and-Excitation in the stem (SE-HigherHRNet seed).

The seed inserts one SE block between the first and the second 3x3 stem convolution::

    conv1 -> BN -> ReLU -> SE -> conv2 -> BN -> ReLU -> layer1 -> stages 2..4

and, as an ablation, an SE block after every residual block of every branch. With both options
off the network is exactly :class:`mmpose.models.HRNet` (same modules, state-dict keys and
outputs); the SE weights are the only extra keys (``stem_se.*`` and ``...<block>.se.*``).
"""
from typing import Dict, Optional, Tuple

from mmpose.models.backbones import HRNet
from mmpose.models.backbones.utils import SELayer
from mmpose.registry import MODELS
from torch import Tensor, nn

#: Number of channels of the HRNet stem (fixed by MMPose's HRNet).
STEM_CHANNELS = 64


def se_block(block: type, reduction: int) -> type:
    """Return a subclass of the residual ``block`` whose output is recalibrated by SE.

    The returned class keeps the ``expansion`` and the state-dict keys of ``block`` and adds a
    submodule ``se`` (:class:`SELayer` over the block's output channels, ratio ``reduction``).

    Args:
        block (type): ``BasicBlock`` or ``Bottleneck`` of MMPose's ResNet.
        reduction (int): SE channel reduction ratio r.

    Returns:
        type: the SE variant of ``block``.
    """

    class _SEBlock(block):

        def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
            super().__init__(in_channels, out_channels, **kwargs)
            self.se = SELayer(out_channels, ratio=reduction)

        def forward(self, x: Tensor) -> Tensor:
            """(B, C_in, H, W) -> (B, C_out, H', W'): the residual block followed by SE."""
            return self.se(super().forward(x))

    _SEBlock.__name__ = _SEBlock.__qualname__ = f'SE{block.__name__}'
    return _SEBlock


@MODELS.register_module()
class SEHRNet(HRNet):
    """HRNet with an optional SE block in the stem and optional SE after every residual block.

    Args:
        extra (dict): HRNet stage configuration, as for :class:`mmpose.models.HRNet`.
        se_stem (dict, optional): ``dict(reduction=16)`` puts an SE block (on the 64 stem
            channels, W1: C -> C/r, ReLU, W2: C/r -> C, sigmoid) between the first and the
            second stem convolution. ``None`` disables it. Defaults to ``dict(reduction=16)``.
        se_blocks (dict, optional): ``dict(reduction=16)`` appends an SE block to every residual
            block of every stage and branch (the seed's "SE in every branch" ablation).
            Defaults to ``None`` (off).
        **kwargs: the remaining arguments of :class:`mmpose.models.HRNet`.

    Shapes:
        input (B, 3, H, W) -> tuple of branch features, the first of shape
        (B, C_1, H / 4, W / 4) (only that one unless ``extra.stage4.multiscale_output``).
    """

    def __init__(self,
                 extra: dict,
                 se_stem: Optional[dict] = dict(reduction=16),
                 se_blocks: Optional[dict] = None,
                 **kwargs) -> None:
        if se_blocks is not None:
            # HRNet builds its stages from ``self.blocks_dict``; an instance attribute set before
            # nn.Module.__init__ shadows the class table with the SE variants of the blocks.
            blocks: Dict[str, type] = {
                name: se_block(block, **se_blocks)
                for name, block in HRNet.blocks_dict.items()
            }
            object.__setattr__(self, 'blocks_dict', blocks)
        super().__init__(extra, **kwargs)
        self.stem_se = (
            SELayer(STEM_CHANNELS, ratio=se_stem['reduction'])
            if se_stem is not None else None)
        if self.stem_se is not None:
            self.conv2.register_forward_pre_hook(self._stem_se_hook)

    def _stem_se_hook(self, conv2: nn.Module, args: Tuple[Tensor, ...]) -> Tuple[Tensor]:
        """Forward pre-hook of ``conv2``: recalibrate its input (B, 64, H/2, W/2) by the stem SE.

        HRNet's own ``forward`` runs unchanged; this is the only point where SE-HRNet differs
        (a bound method, so ``copy.deepcopy`` of the model hooks the copy's own SE block).
        """
        return (self.stem_se(args[0]), )


__all__ = ['SEHRNet', 'se_block']
