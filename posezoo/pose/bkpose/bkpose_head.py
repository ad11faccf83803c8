"""BK-Pose head: K keypoint + B body-part heatmaps at every scale of every stack.

A 1x1 conv per (stack, scale) maps the backbone's decoder feature to K + B heatmaps; K and the
B skeleton links come from the codec, i.e. from the dataset metainfo (COCO-17 with its 19 links
by default, K + B = 36). Training supervises all ``num_stacks * 5`` outputs with
:class:`FocalL2Loss` against the codec's full-resolution target pooled to each scale; inference
decodes the full-resolution output of the last stack with the codec's grouping.
"""
from typing import List, Sequence, Tuple

import torch
from mmengine.structures import InstanceData
from mmpose.models.heads.base_head import BaseHead
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.typing import ConfigType, Features, OptConfigType, OptSampleList
from torch import Tensor, nn

from .bkpose_codec import pool_pyramid


@MODELS.register_module()
class BKPoseHead(BaseHead):
    """Multi-scale, multi-stack heatmap head of BK-Pose.

    Args:
        in_channels (Sequence[int]): feature channels of one stack's outputs, coarsest first,
            e.g. (192, 160, 128, 96, 64) (``BKPoseNet.out_channels``).
        num_stacks (int): stacks of the backbone. Default 2.
        decoder (dict): the ``BKPoseHeatmap`` codec config (gives K and the links).
        loss (dict): loss config; ``num_keypoints`` is filled in from the codec.
            Default ``FocalL2Loss`` with the paper's values.
        init_cfg: mmengine init config. Default: final convs ~ N(0, 0.001), bias 0 (the
            heatmaps start near 0, as in mmpose's heatmap heads).

    ``forward`` input: ``num_stacks * len(in_channels)`` features (B, C_i, H_i, W_i);
    output: as many (B, K + B, H_i, W_i) heatmaps, stack after stack, coarsest first.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 decoder: ConfigType,
                 num_stacks: int = 2,
                 loss: ConfigType = dict(type='FocalL2Loss'),
                 init_cfg: OptConfigType = dict(
                     type='Normal', layer=['Conv2d'], std=0.001, bias=0)) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = tuple(in_channels)
        self.num_stacks = num_stacks
        self.decoder = KEYPOINT_CODECS.build(decoder)
        self.num_keypoints = self.decoder.num_keypoints
        self.out_channels = self.decoder.num_channels
        loss = dict(loss)
        loss.setdefault('num_keypoints', self.num_keypoints)
        self.loss_module = MODELS.build(loss)
        self.final_layers = nn.ModuleList([
            nn.Conv2d(c, self.out_channels, 1) for _ in range(num_stacks)
            for c in self.in_channels
        ])

    def forward(self, feats: Tuple[Tensor, ...]) -> List[Tensor]:
        """(num_stacks * S) features -> as many (B, K + B, H_i, W_i) heatmaps."""
        if len(feats) != len(self.final_layers):
            raise ValueError(f'BKPoseHead: expected {len(self.final_layers)} features '
                             f'({self.num_stacks} stacks x {len(self.in_channels)} scales), '
                             f'got {len(feats)}')
        return [layer(f) for layer, f in zip(self.final_layers, feats)]

    def predict(self,
                feats: Features,
                batch_data_samples: OptSampleList,
                test_cfg: OptConfigType = {}) -> List[InstanceData]:
        """Decode people from the last, full-resolution output.

        ``feats`` is the backbone output, or ``[feats, feats_of_flipped_image]`` when
        ``test_cfg.flip_test`` (the flipped heatmaps are flipped back, their keypoint and link
        channels swapped, and averaged).

        Returns:
            List[InstanceData]: per image ``keypoints`` (P, K, 2) in input-image coordinates,
            ``keypoint_scores`` (P, K), ``bbox_scores`` (P,) the instance scores, and
            ``keypoints_visible`` (P, K) = keypoint_scores.
        """
        if test_cfg.get('flip_test', False):
            feats_orig, feats_flip = feats
            heatmaps = self.flip_average(self.forward(feats_orig)[-1],
                                         self.forward(feats_flip)[-1])
        else:
            heatmaps = self.forward(feats)[-1]
        results = []
        for hm in heatmaps.detach().float().cpu().contiguous():
            keypoints, scores, instance_scores = self.decoder.decode(hm)
            results.append(InstanceData(
                keypoints=keypoints, keypoint_scores=scores, keypoints_visible=scores,
                bbox_scores=instance_scores))
        return results

    def flip_average(self, heatmaps: Tensor, heatmaps_flipped: Tensor) -> Tensor:
        """Average (B, K + B, H, W) heatmaps with those of the mirrored input: the latter are
        mirrored back (``j -> W - 1 - j``, exact under the codec's pixel-centre convention) and
        their keypoint and link channels swapped left <-> right."""
        flipped = heatmaps_flipped.flip(-1)[:, self.decoder.link_flip_indices()]
        return (heatmaps + flipped) / 2

    def loss(self,
             feats: Tuple[Tensor, ...],
             batch_data_samples: OptSampleList,
             train_cfg: OptConfigType = {}) -> dict:
        """Focal L2 (or L2) loss over every stack and scale.

        Reads ``gt_fields.heatmaps`` (K + B, H, W) and ``gt_fields.heatmap_mask`` (H, W) of each
        data sample (from ``GenerateTarget`` with ``BKPoseHeatmap`` and
        ``BottomupGetHeatmapMask``); the mask is optional (all ones when absent).
        """
        preds = self.forward(feats)
        target = torch.stack([d.gt_fields.heatmaps for d in batch_data_samples]).to(preds[-1])
        if target.shape[1:] != preds[-1].shape[1:]:
            raise ValueError(f'BKPoseHead: target {tuple(target.shape[1:])} does not match the '
                             f'full-resolution output {tuple(preds[-1].shape[1:])}; check the '
                             'codec heatmap_size against the input size')
        mask = torch.stack([
            d.gt_fields.heatmap_mask.reshape(target.shape[-2:])
            if 'heatmap_mask' in d.gt_fields else target.new_ones(target.shape[-2:])
            for d in batch_data_samples
        ]).to(target)[:, None]
        sizes = [tuple(p.shape[-2:]) for p in preds]
        targets = pool_pyramid(target, sizes)
        # a coarse pixel is kept only when all the fine pixels it pools are valid
        masks = [1 - pooled for pooled in pool_pyramid(1 - mask, sizes, mode='max')]
        loss = self.loss_module(preds, targets, masks)
        return dict(loss_kpt=loss)
