"""Multi-resolution associative-embedding codec for HigherHRNet (Cheng et al., CVPR 2020)."""
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from mmpose.codecs import AssociativeEmbedding
from mmpose.codecs.utils import generate_gaussian_heatmaps
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor

#: The grouping order of the official HigherHRNet for COCO: head, shoulders, hips, then limbs.
COCO_KEYPOINT_ORDER = [0, 1, 2, 3, 4, 5, 6, 11, 12, 7, 8, 9, 10, 13, 14, 15, 16]


@KEYPOINT_CODECS.register_module()
class MultiResolutionAssociativeEmbedding(AssociativeEmbedding):
    """Encode keypoints as Gaussian heatmaps at several resolutions plus AE keypoint indices, and
    decode heatmaps + tags (already projected to the input size) by AE grouping.

    Note:
        - instance number: N, keypoint number: K, resolution (level) number: R
        - input size: [w, h]; heatmap size of level r: [W_r, H_r]

    Encoded:
        - heatmaps (List[np.ndarray]): one Gaussian heatmap per level, shape (K, H_r, W_r)
        - keypoint_indices (np.ndarray): (N, R, K, 2); for level r, ``[y * W_r + x, visible]``

    A keypoint at input coordinate x lands on heatmap coordinate (x - (s - 1) / 2) / s for a
    level of stride s (heatmap pixel centres), so that upsampling the heatmaps to the input size
    (bilinear, ``align_corners=False``) puts every peak back on its keypoint.
        - keypoint_weights (np.ndarray): (N, K), 1 for a visible keypoint inside the image

    Decoding works at the input resolution (the head upsamples and averages its outputs there):
    heatmap NMS, top-k candidates, Munkres grouping on tag distance, filling of missing keypoints
    by tag (the official "refine"), quarter-offset refinement (the official "adjust") and an
    instance score equal to the mean keypoint score (the official rescoring).

    Args:
        input_size (tuple): input image size [w, h] used for training.
        heatmap_sizes (Sequence[tuple]): heatmap size [W, H] of each level, in the head's output
            order (e.g. ``[(128, 128), (256, 256)]`` for a 512 input).
        sigma (float | Sequence[float]): Gaussian sigma, one for all levels or one per level.
            Defaults to 2 (official).
        decode_keypoint_order (Sequence[int]): grouping order of the keypoints. Defaults to the
            official COCO order.
        decode_nms_kernel (int): heatmap NMS kernel. Defaults to 5.
        decode_keypoint_thr (float): minimum heatmap response of a candidate. Defaults to 0.1.
        decode_tag_thr (float): maximum tag distance to join a group. Defaults to 1.
        decode_topk (int): candidates per keypoint. Defaults to 30.
        decode_max_instances (int, optional): maximum instances per image. Defaults to 30.
    """

    # what PackPoseInputs packs (the heatmap mask comes from BottomupGetHeatmapMask)
    field_mapping_table = dict(heatmaps='heatmaps', heatmap_mask='heatmap_mask')
    label_mapping_table = dict(
        keypoint_weights='keypoint_weights', keypoint_indices='keypoint_indices')

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_sizes: Sequence[Tuple[int, int]],
                 sigma: Union[float, Sequence[float]] = 2.0,
                 decode_keypoint_order: Sequence[int] = COCO_KEYPOINT_ORDER,
                 decode_nms_kernel: int = 5,
                 decode_keypoint_thr: float = 0.1,
                 decode_tag_thr: float = 1.0,
                 decode_topk: int = 30,
                 decode_max_instances: Optional[int] = 30) -> None:
        # decoding happens at the input resolution, hence heatmap_size=input_size (scale 1)
        super().__init__(
            input_size=input_size,
            heatmap_size=input_size,
            sigma=2.0,
            decode_keypoint_order=list(decode_keypoint_order),
            decode_nms_kernel=decode_nms_kernel,
            decode_keypoint_thr=decode_keypoint_thr,
            decode_tag_thr=decode_tag_thr,
            decode_topk=decode_topk,
            decode_max_instances=decode_max_instances)
        self.heatmap_sizes = [tuple(size) for size in heatmap_sizes]
        sigmas = [sigma] * len(self.heatmap_sizes) if np.isscalar(sigma) else list(sigma)
        if len(sigmas) != len(self.heatmap_sizes):
            raise ValueError(f'got {len(sigmas)} sigmas for {len(self.heatmap_sizes)} '
                             'heatmap sizes')
        self.sigmas = [float(s) for s in sigmas]

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints given in the input image space (see the class docstring).

        Args:
            keypoints (np.ndarray): (N, K, 2) coordinates in the input image.
            keypoints_visible (np.ndarray, optional): (N, K) visibility. Defaults to all ones.

        Returns:
            dict: ``heatmaps`` (list of (K, H_r, W_r)), ``keypoint_indices`` (N, R, K, 2),
            ``keypoint_weights`` (N, K).
        """
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        heatmaps: List[np.ndarray] = []
        indices: List[np.ndarray] = []
        keypoint_weights = None
        for size, sigma in zip(self.heatmap_sizes, self.sigmas):
            # heatmap pixel i covers input pixels [s*i, s*i + s): its centre, where the
            # bilinear (align_corners=False) upsampling of the head puts it, is s*i + (s-1)/2
            stride = np.array(self.input_size, np.float32) / np.array(size, np.float32)
            level_keypoints = (keypoints - (stride - 1) / 2) / stride
            level_heatmaps, level_weights = generate_gaussian_heatmaps(
                heatmap_size=size,
                keypoints=level_keypoints,
                keypoints_visible=keypoints_visible,
                sigma=sigma)
            heatmaps.append(level_heatmaps)
            indices.append(
                self._encode_keypoint_indices(size, level_keypoints, keypoints_visible))
            if keypoint_weights is None:
                keypoint_weights = level_weights
        keypoint_indices = np.stack(indices, axis=1) if len(keypoints) else np.zeros(
            (0, len(self.heatmap_sizes), keypoints.shape[1], 2), dtype=np.int64)
        return dict(
            heatmaps=heatmaps,
            keypoint_indices=keypoint_indices,
            keypoint_weights=keypoint_weights)

    def batch_decode(self, batch_heatmaps: Tensor, batch_tags: Tensor
                     ) -> Tuple[List[np.ndarray], List[np.ndarray], List[np.ndarray]]:
        """Group and refine keypoints from heatmaps and tags at the input resolution.

        Args:
            batch_heatmaps (Tensor): (B, K, h, w) aggregated heatmaps, h x w = input size.
            batch_tags (Tensor): (B, L*K, h, w) tag maps (L tag dimensions, e.g. 2 with flip).

        Returns:
            tuple: per image, ``keypoints`` (N, K, 2) in input coordinates, ``keypoint_scores``
            (N, K) and ``instance_scores`` (N,) (mean score of the grouped keypoints).
        """
        batch_keypoints, batch_scores, instance_scores = super().batch_decode(
            batch_heatmaps, batch_tags)
        batch_keypoints = [k.astype(np.float32) for k in batch_keypoints]
        batch_scores = [s.astype(np.float32) for s in batch_scores]
        instance_scores = [s.astype(np.float32).reshape(-1) for s in instance_scores]
        return batch_keypoints, batch_scores, instance_scores
