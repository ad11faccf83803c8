"""LSTM skeleton backbone: one LSTM run over the frames of every person track."""
from typing import Optional, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from .body_norm import BodyRelativeNorm


@MODELS.register_module()
class LSTMSkeleton(BaseModule):
    """LSTM over skeleton sequences (seed 004), for any keypoint layout and any number of people.

    Every person track is normalised relative to its body (:class:`BodyRelativeNorm`), its
    ``V x C`` values per frame are flattened into one feature vector, and a (stacked, optionally
    bidirectional) LSTM runs over the frames. The track feature is the final hidden state of the
    top layer (``temporal_pool='last'``; both directions concatenated when bidirectional) or the
    mean of the top layer's outputs over the frames (``'mean'``).

    Works on the output of MMAction2's skeleton pipeline (``FormatGCNInput``) inside
    ``RecognizerGCN``, which folds the clip dimension into the batch: input (N, M, T, V, C).
    Person slots that are zero in every frame (the padding of ``FormatGCNInput``) are reported as
    invalid so that the head can ignore them.

    Args:
        in_channels (int): Channels per keypoint C (e.g. 3 for x, y, score; 4 for MediaPipe's
            x, y, z, visibility).
        num_joints (int): Keypoints per person V (17 COCO, 26 Halpe, 33 MediaPipe).
        hidden_size (int): LSTM hidden size. Default: 128.
        num_layers (int): Stacked LSTM layers. Default: 2.
        bidirectional (bool): Bidirectional LSTM. Default: False.
        dropout (float): Dropout between stacked LSTM layers. Default: 0.
        temporal_pool (str): ``'last'`` or ``'mean'``. Default: ``'last'``.
        norm_cfg (dict, optional): Arguments of :class:`BodyRelativeNorm`; ``None`` feeds the
            keypoints as they are. Default: ``dict(layout='coco', num_coords=2)``.
        init_cfg (dict, optional): Initialisation config. Default: None.
    """

    def __init__(self,
                 in_channels: int,
                 num_joints: int,
                 hidden_size: int = 128,
                 num_layers: int = 2,
                 bidirectional: bool = False,
                 dropout: float = 0.0,
                 temporal_pool: str = 'last',
                 norm_cfg: Optional[dict] = dict(layout='coco', num_coords=2),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if temporal_pool not in ('last', 'mean'):
            raise ValueError(f"temporal_pool must be 'last' or 'mean', got {temporal_pool!r}")
        self.in_channels = in_channels
        self.num_joints = num_joints
        self.temporal_pool = temporal_pool
        self.norm = None if norm_cfg is None else BodyRelativeNorm(**norm_cfg)
        self.lstm = nn.LSTM(
            input_size=in_channels * num_joints,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional)
        self.out_channels = hidden_size * (2 if bidirectional else 1)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Encode every person track of a batch of clips.

        Args:
            x (Tensor): Skeletons, shape (N, M, T, V, C).

        Returns:
            tuple[Tensor, Tensor]: Track features, shape (N, M, D) with
            D = ``out_channels``, and the bool mask of real (non-padding) tracks, shape (N, M).
        """
        if x.dim() != 5 or x.shape[3] != self.num_joints or x.shape[4] != self.in_channels:
            raise ValueError(
                f'LSTMSkeleton expects (N, M, T, V={self.num_joints}, C={self.in_channels}), '
                f'got shape {tuple(x.shape)}')
        n, m, t, v, c = x.shape
        valid = x.flatten(2).ne(0).any(-1)  # (N, M)
        if self.norm is not None:
            x = self.norm(x)
        out, (h_n, _) = self.lstm(x.reshape(n * m, t, v * c))  # out: (N*M, T, D)
        if self.temporal_pool == 'mean':
            feat = out.mean(1)
        elif self.lstm.bidirectional:
            feat = torch.cat([h_n[-2], h_n[-1]], dim=-1)
        else:
            feat = h_n[-1]
        return feat.reshape(n, m, self.out_channels), valid
