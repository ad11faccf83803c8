"""BK-Pose: a lightweight bottom-up pose model with the focal L2 loss.

Importing this package registers into mmpose: ``BKPoseNet`` (backbone), ``BKPoseHead`` (head),
``BKPoseHeatmap`` (codec), ``FocalL2Loss`` (loss), ``FocalL2SwitchHook`` (hook) and
``GroupCocoMetric`` (metric).
"""
from .bkpose_codec import BKPoseHeatmap, pool_pyramid
from .bkpose_head import BKPoseHead
from .bkpose_net import BKPoseNet
from .focal_l2_loss import FocalL2Loss
from .focal_l2_switch_hook import FocalL2SwitchHook
from .group_coco_metric import GroupCocoMetric

__all__ = [
    'BKPoseHeatmap', 'BKPoseHead', 'BKPoseNet', 'FocalL2Loss', 'FocalL2SwitchHook',
    'GroupCocoMetric', 'pool_pyramid'
]
