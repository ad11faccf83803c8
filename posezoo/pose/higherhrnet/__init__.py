"""HigherHRNet (trainable on MMPose 1.x) and SE-HigherHRNet.

Importing this package registers into mmpose's registries the :class:`SEHRNet` backbone, the
:class:`HigherHRNetHead`, the :class:`HigherHRNetAELoss`, the
:class:`MultiResolutionAssociativeEmbedding` codec and the official test / training transforms
(:class:`HigherHRNetResize`, :class:`HigherHRNetRandomAffine`, :class:`HigherHRNetRandomFlip`).
"""
from .ae_loss import HigherHRNetAELoss
from .checkpoint import CheckpointLayoutError, convert_state_dict, detect_layout, model_cfg_from_official
from .codec import COCO_KEYPOINT_ORDER, MultiResolutionAssociativeEmbedding
from .head import HigherHRNetHead
from .se_hrnet import SEHRNet, se_block
from .transforms import (
    HigherHRNetRandomAffine,
    HigherHRNetRandomFlip,
    HigherHRNetResize,
    official_affine_matrix,
    official_resize_geometry,
)

__all__ = [
    'SEHRNet', 'se_block', 'HigherHRNetHead', 'HigherHRNetAELoss',
    'MultiResolutionAssociativeEmbedding', 'COCO_KEYPOINT_ORDER', 'CheckpointLayoutError',
    'convert_state_dict', 'detect_layout', 'model_cfg_from_official', 'HigherHRNetResize',
    'HigherHRNetRandomAffine', 'HigherHRNetRandomFlip', 'official_affine_matrix',
    'official_resize_geometry'
]
