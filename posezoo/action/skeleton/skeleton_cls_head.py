"""Classification head over per-person track features."""
from typing import Tuple

from mmaction.models.heads.base import BaseHead
from mmaction.registry import MODELS
from mmaction.utils import ConfigType
from torch import Tensor, nn


@MODELS.register_module()
class SkeletonClsHead(BaseHead):
    """Pool the features of the real person tracks of a clip, then a linear classifier.

    Takes the output of :class:`LSTMSkeleton`: track features (N, M, D) and the mask of real
    tracks (N, M). Padding tracks are left out of the pooling (a clip without any real track pools
    over all of its slots). Losses, top-k accuracy and clip averaging come from mmaction's
    ``BaseHead``.

    Args:
        num_classes (int): Number of action classes.
        in_channels (int): Track feature size D.
        loss_cls (dict): Classification loss. Default: ``dict(type='CrossEntropyLoss')``.
        person_pool (str): ``'mean'`` or ``'max'`` over the real tracks. Default: ``'mean'``.
        dropout (float): Dropout before the classifier. Default: 0.
        average_clips (str): How test clips of a sample are averaged: ``'prob'`` (softmax
            scores, as ``GCNHead``), ``'score'`` or None. Default: ``'prob'``.
        init_cfg (dict): Initialisation config. Default: normal init of the classifier (std 0.01).
        **kwargs: Other arguments of ``BaseHead`` (``topk``, ...).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 loss_cls: ConfigType = dict(type='CrossEntropyLoss'),
                 person_pool: str = 'mean',
                 dropout: float = 0.0,
                 average_clips: str = 'prob',
                 init_cfg: ConfigType = dict(type='Normal', layer='Linear', std=0.01),
                 **kwargs) -> None:
        super().__init__(
            num_classes, in_channels, loss_cls, average_clips=average_clips, init_cfg=init_cfg,
            **kwargs)
        if person_pool not in ('mean', 'max'):
            raise ValueError(f"person_pool must be 'mean' or 'max', got {person_pool!r}")
        self.person_pool = person_pool
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: Tuple[Tensor, Tensor], **kwargs) -> Tensor:
        """Classify clips from their person tracks.

        Args:
            x (tuple[Tensor, Tensor]): Track features, shape (N, M, D), and the bool mask of
                real tracks, shape (N, M).

        Returns:
            Tensor: Class scores (logits), shape (N, num_classes).
        """
        feats, valid = x
        valid = valid | ~valid.any(1, keepdim=True)  # clips without real tracks use all slots
        if self.person_pool == 'mean':
            w = valid.to(feats.dtype)[..., None]  # (N, M, 1)
            pooled = (feats * w).sum(1) / w.sum(1)
        else:
            pooled = feats.masked_fill(~valid[..., None], float('-inf')).amax(1)
        return self.fc(self.dropout(pooled))
