"""BK-Pose codec: keypoint + body-part heatmaps (eq. 1) and the keypoint-assignment decoder.

Encoding (registered as ``BKPoseHeatmap`` in ``KEYPOINT_CODECS``): for K keypoints and the B
skeleton links of the dataset metainfo, one (K + B, H, W) heatmap at full resolution (stride 4):

* keypoint j: ``exp(-d^2 / (2 sigma_k^2))`` around each visible keypoint, ``d`` the distance to
  it, zero beyond ``r0``;
* link (a, b): ``exp(-d^2 / (2 sigma_b^2))``, ``d`` the distance to the *segment* between the two
  joints (both visible), zero beyond ``d0``;
* people are combined with the maximum.

The sigmas (and ``r0``, ``d0``) are given in **input-image pixels** (512x512 input in the paper)
and divided by the stride s (input / heatmap size) on the heatmap: sigma_k = 9 is 2.25 heatmap
pixels at 128x128. Gaussian centres keep their sub-pixel position.

**Pixel-centre convention** (:meth:`BKPoseHeatmap.to_heatmap`, :meth:`BKPoseHeatmap.to_input`):
integer coordinates are pixel centres, and heatmap pixel j covers input pixels [s j, s j + s),
so its centre is input ``s j + (s - 1) / 2`` (4j + 1.5 at stride 4). Mirroring the input
(x -> W - 1 - x) is then exactly mirroring the heatmap (j -> W / s - 1 - j), which is what the
head's flip test does. The smaller scales' targets are the adaptive average pooling of the
full map (:func:`pool_pyramid`, used by the head); the mask W(p) (crowd and unannotated people)
comes from mmpose's ``BottomupGetHeatmapMask``.

Decoding (the paper's unspecified "Keypoint Assignment Algorithm", posezoo's design), on one
(K + B, H, W) heatmap; the grouping is :class:`posezoo.edge.grouping.BKPoseGrouping` (numpy,
shared with the edge runtime), with torch's NMS / top-k and ``grid_sample`` as its kernels.
Every step is a dense array operation except the greedy assembly and the fragment merging,
two short loops over the admissible connections / fragment pairs:

1. candidates: every local maximum (max-pool NMS) above ``score_thr``
   (optionally the best ``max_candidates`` per type: the count scales with the scene),
   refined to sub-pixel by the vertex of the parabola through the log-heatmap at the peak and
   its two neighbours along x and along y (exact for a Gaussian peak);
2. pair scoring: for every link and every candidate pair, ``num_samples`` points on the segment
   are read (bilinear) from the link's body-part heatmap; limb score = the mean of the samples'
   mean and their minimum (a real limb is a ridge along its whole segment, a pair crossing two
   overlapping people runs through a gap between their limbs) + OpenPose's absolute length prior
   ``min(0, 0.5 * H / length - 1)``; a pair is admissible when at least ``min_on_limb`` of
   the samples exceed ``limb_thr`` and the limb score is positive;
3. assembly (greedy, like Kruskal's algorithm): admissible connections in decreasing priority
   (limb score + the mean peak value of the two candidates: a weak spurious peak of one type
   sitting on a real limb scores as well on the limb map as the real joint does) are accepted
   when neither candidate already has a connection of that link, the two people they belong to
   share no keypoint type, and the limb-length prior relative to the person's scale holds: a
   limb may be at most ``length_tolerance`` times the person's longest limb so far (a loose
   bound: foreshortening makes limbs of one person differ several-fold); then a second pass
   assembles again with the **limb-length prior relative to the person's scale**: each
   connection's limb score loses ``length_prior * |ln(length / expected)|``, ``expected`` the
   link's typical length (:data:`posezoo.edge.grouping.COCO_LIMB_LENGTHS`) times the scale of
   the first pass's people the two candidates belong to (crossed pairs of people overlapping
   along a line score as well on the limb maps as the real pairs; their lengths do not fit);
4. fragments: candidates left unconnected become one-keypoint fragments; parts of one person
   that no link joins (a joint between them is not labelled or not found) are merged
   (``BKPoseGrouping._merge_fragments``) across at most ``merge_max_hops`` skeleton hops
   when their distance fits the people's scale and the limb maps give no evidence that they
   are two people (a link whose two ends they hold carried no admissible limb). Scale and
   distance are measured with COCO's typical limb lengths
   (:data:`posezoo.edge.grouping.COCO_LIMB_LENGTHS`, in shoulder widths): a person's scale is
   its largest limb-to-typical ratio (a face alone gives it), two keypoint types may be
   ``merge_ratio`` x (their typical skeleton path) x (the geometric mean of the two people's
   scales) apart, people whose scales differ more than ``merge_max_scale_ratio``-fold never
   merge (where both have ``min_keypoints``), and the closest pairs (the mean over their
   keypoint pairs that fit of the pixels per unit of skeleton path, divided by the weaker mean
   keypoint score of the two) merge first;
5. people with fewer than ``min_keypoints`` keypoints whose mean keypoint score is below
   ``min_fragment_score``, and people whose mean keypoint score is below ``min_mean_score``,
   are dropped (leftover peaks are not people); instance score = (mean keypoint score) x
   (1 - exp(-n / 3)), n the person's keypoints (a real person seen by a few strong keypoints,
   e.g. a face and a raised wrist, outranks a skeleton of faint leftover peaks across images:
   the learning test's seed 2 AP 0.75 -> 0.91 against the earlier (keypoint + limb scores) /
   (K + B)); missing keypoints get score 0 and the mean position of the person's keypoints;
   at most ``max_instances`` people, best first.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor

from posezoo.edge.grouping import GROUPING_KEYS, BKPoseGrouping


def resolve_metainfo(metainfo: Union[dict, str]) -> dict:
    """An mmpose metainfo dict whose ``from_file`` may name MMPose's own dataset configs as
    ``mmpose::_base_/datasets/<name>.py`` (resolved in the installed mmpose package; mmpose's
    ``parse_pose_metainfo`` only knows paths relative to the working directory)."""
    if isinstance(metainfo, str):
        metainfo = dict(from_file=metainfo)
    path = metainfo.get('from_file', '')
    if path.startswith('mmpose::'):
        import mmpose
        full = osp.join(osp.dirname(mmpose.__file__), '.mim', 'configs', path[len('mmpose::'):])
        if not osp.isfile(full):
            raise FileNotFoundError(f'BKPoseHeatmap: metainfo {path} not found ({full})')
        metainfo = dict(metainfo, from_file=full)
    return metainfo


def pool_pyramid(full: Tensor, sizes: Sequence[Tuple[int, int]],
                 mode: str = 'avg') -> List[Tensor]:
    """Adaptive pooling of full-resolution maps to each (H_i, W_i) in ``sizes``.

    Args:
        full (Tensor): (B, C, H, W) maps.
        sizes (Sequence[Tuple[int, int]]): output sizes (H_i, W_i).
        mode (str): ``'avg'`` (targets) or ``'max'`` (a coarse pixel of an ignore mask is
            ignored when any fine pixel it pools is). Default ``'avg'``.

    Returns:
        List[Tensor]: (B, C, H_i, W_i) each (``full`` itself where the size already matches).
    """
    pools = dict(avg=F.adaptive_avg_pool2d, max=F.adaptive_max_pool2d)
    if mode not in pools:
        raise ValueError(f'pool_pyramid: mode must be "avg" or "max", got {mode!r}')
    return [full if tuple(full.shape[-2:]) == tuple(s) else pools[mode](full, tuple(s))
            for s in sizes]


@KEYPOINT_CODECS.register_module()
class BKPoseHeatmap(BaseKeypointCodec):
    """Keypoint + body-part Gaussian heatmaps and their limb-guided grouping decoder.

    Encoded:
        - heatmaps (np.ndarray): (K + B, H, W) float32, keypoints first, then links.
        - keypoint_weights (np.ndarray): (N, K) float32, 1 for visible (labelled) keypoints.

    Args:
        input_size (Tuple[int, int]): input image size [w, h].
        heatmap_size (Tuple[int, int]): heatmap size [W, H] (input / 4 in BK-Pose).
        metainfo (dict | str, optional): an mmpose dataset metainfo (e.g.
            ``dict(from_file='mmpose::_base_/datasets/coco.py')``) giving the keypoints, the
            skeleton links and the flip indices. Default: COCO-17 with its 19 links.
        num_keypoints (int, optional): K, instead of ``metainfo`` (with ``skeleton_links``).
        skeleton_links (Sequence[Tuple[int, int]], optional): the links, instead of ``metainfo``.
        sigma_k (float): keypoint Gaussian std in input pixels. Default 9 (paper).
        sigma_b (float): body-part Gaussian std in input pixels. Default 7 (paper).
        r0 (float, optional): keypoint peak radius in input pixels. Default 3 * sigma_k.
        d0 (float, optional): body-part distance bound in input pixels. Default 3 * sigma_b.
        score_thr (float): minimum keypoint peak value. Default 0.2: the focal L2 loss weights a
            background error by ``(S + beta)^gamma`` (0.014 at S = 0.1 with the paper's values),
            so a trained model keeps faint spurious peaks of ~0.1-0.2 that it is never pushed to
            remove.
        nms_kernel (int): max-pool NMS window (odd). Default 5.
        max_candidates (int, optional): most candidates per keypoint type; None (default):
            every peak above ``score_thr``, so that crowds keep all their people.
        num_samples (int): points sampled on each candidate segment. Default 10.
        limb_thr (float): body-part value a sample must exceed. Default 0.1.
        min_on_limb (float): fraction of samples that must exceed ``limb_thr``. Default 0.8.
        length_tolerance (float): a limb joining a person may be at most this many times
            longer than the person's longest limb so far (the relative length prior; limbs
            vary a lot with the pose and the view, so it only stops gross errors).
            Default 8.
        length_prior (float): weight of the limb-length prior relative to the person's scale
            (step 3's second pass): ``length_prior * |ln(length / expected)|`` is subtracted
            from each connection's limb score, ``expected`` = the link's typical length x the
            scale of the first pass's people. It reorders the admissible connections, it
            never makes one admissible or not; 0 turns the second pass off. Default 0.05: on
            the classroom scenes people overlapping along a line (two shoulder lines, two
            forearms, one continuing the other) give the crossed pairs the same limb score as
            the real ones, and the prior picks the real ones (classroom oracle AP 0.921 ->
            0.942, measured with the closest-pair merge ranking of that time; coco-mini val and
            the noisy oracle unchanged for weights 0.02-0.2).
        merge_ratio (float): fragments merge when their distance is at most ``merge_ratio``
            times (the typical skeleton path between the two keypoint types) x (the people's
            scale), both in shoulder widths (step 4). Default 1.
        merge_max_hops (int): fragments merge only across at most this many skeleton hops
            (2: one missing joint between them). Default 4: a trained model's weak limbs
            leave gaps of several joints (the learning test's overfit model: AP 0.83 with 2,
            0.96 with 4).
        merge_max_scale_ratio (float): fragments whose scales (in shoulder widths) differ more
            than this many times never merge, where both have at least ``min_keypoints``
            keypoints (the scale of one limb is only a lower bound: foreshortening; the
            learning test's overfit model at seed 4: AP 0.87 with the exemption, 0.75
            without). Default 4 (a face whose eyes are labelled 85 px apart, scale 530 px,
            joined a 34 px body 300 px away on a classroom scene).
        min_keypoints (int): people with fewer keypoints are fragments. Default 3.
        min_fragment_score (float): fragments are kept only when their mean keypoint score
            reaches this value (a real person of whom the network sees one or two keypoints
            keeps strong peaks; leftover peaks are weak). Default 0.6.
        min_mean_score (float): people whose mean keypoint score is below this are dropped:
            a weakly trained network draws whole skeletons of faint peaks (~0.3) where nobody
            is (the learning test's overfit model: 8 such people around the real one).
            Default 0.4.
        max_instances (int): most people returned, best instance scores first. Default 100
            (COCO's keypoint evaluation should then be run with ``maxDets >= 100``).
    """

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int],
                 metainfo: Optional[Union[dict, str]] = None,
                 num_keypoints: Optional[int] = None,
                 skeleton_links: Optional[Sequence[Tuple[int, int]]] = None,
                 sigma_k: float = 9.0,
                 sigma_b: float = 7.0,
                 r0: Optional[float] = None,
                 d0: Optional[float] = None,
                 score_thr: float = 0.2,
                 nms_kernel: int = 5,
                 max_candidates: Optional[int] = None,
                 num_samples: int = 10,
                 limb_thr: float = 0.1,
                 min_on_limb: float = 0.8,
                 length_tolerance: float = 8.0,
                 length_prior: float = 0.05,
                 merge_ratio: float = 1.0,
                 merge_max_hops: int = 4,
                 merge_max_scale_ratio: float = 4.0,
                 min_keypoints: int = 3,
                 min_fragment_score: float = 0.6,
                 min_mean_score: float = 0.4,
                 max_instances: int = 100) -> None:
        super().__init__()
        if (num_keypoints is None) != (skeleton_links is None):
            raise ValueError('BKPoseHeatmap: give num_keypoints and skeleton_links together '
                             '(or neither, to read them from metainfo)')
        self.flip_indices: Optional[List[int]] = None
        if num_keypoints is None:
            meta = parse_pose_metainfo(resolve_metainfo(
                metainfo if metainfo is not None else 'mmpose::_base_/datasets/coco.py'))
            num_keypoints = int(meta['num_keypoints'])
            skeleton_links = [tuple(int(i) for i in link) for link in meta['skeleton_links']]
            self.flip_indices = [int(i) for i in meta['flip_indices']]
        self.num_keypoints = num_keypoints
        self.skeleton_links = [tuple(int(i) for i in link) for link in skeleton_links]
        for a, b in self.skeleton_links:
            if not (0 <= a < num_keypoints and 0 <= b < num_keypoints):
                raise ValueError(f'BKPoseHeatmap: link ({a}, {b}) outside 0..{num_keypoints - 1}')
        self.num_links = len(self.skeleton_links)
        self.link_array = np.array(self.skeleton_links, dtype=np.int64).reshape(-1, 2)  # (B, 2)
        self.input_size = tuple(input_size)
        self.heatmap_size = tuple(heatmap_size)
        self.scale_factor = (np.array(input_size, dtype=np.float32) /
                             np.array(heatmap_size, dtype=np.float32))
        stride = float(self.scale_factor.mean())
        self.sigma_k = sigma_k
        self.sigma_b = sigma_b
        self.r0 = 3 * sigma_k if r0 is None else r0
        self.d0 = 3 * sigma_b if d0 is None else d0
        self._hm = dict(sigma_k=sigma_k / stride, sigma_b=sigma_b / stride,
                        r0=self.r0 / stride, d0=self.d0 / stride)
        if nms_kernel % 2 != 1:
            raise ValueError(f'BKPoseHeatmap: nms_kernel must be odd, got {nms_kernel}')
        # the decoding settings, read by grouping() (and written to the edge sidecar)
        for name, value in zip(GROUPING_KEYS[2:], (
                score_thr, nms_kernel, max_candidates, num_samples, limb_thr, min_on_limb,
                length_tolerance, length_prior, merge_ratio, merge_max_hops,
                merge_max_scale_ratio, min_keypoints, min_fragment_score, min_mean_score,
                max_instances)):
            setattr(self, name, value)

    @property
    def num_channels(self) -> int:
        """K + B, the channels of the heatmaps."""
        return self.num_keypoints + self.num_links

    def to_heatmap(self, points: np.ndarray) -> np.ndarray:
        """Input-image (x, y) -> heatmap (x, y), pixel centres: x_h = (x + 0.5) / s - 0.5."""
        return (np.asarray(points, np.float32) + 0.5) / self.scale_factor - 0.5

    def to_input(self, points: np.ndarray) -> np.ndarray:
        """Heatmap (x, y) -> input-image (x, y): x = s (x_h + 0.5) - 0.5 (4 x_h + 1.5)."""
        return (np.asarray(points, np.float32) + 0.5) * self.scale_factor - 0.5

    def link_flip_indices(self) -> List[int]:
        """Channel permutation of the K + B heatmaps under a horizontal flip.

        Raises:
            ValueError: without flip indices (codec built from explicit links) or when a link's
                mirror image is not a link.
        """
        if self.flip_indices is None:
            raise ValueError('BKPoseHeatmap: flip test needs metainfo with flip_indices')
        index = {frozenset(link): i for i, link in enumerate(self.skeleton_links)}
        perm = list(self.flip_indices)
        for a, b in self.skeleton_links:
            mirror = frozenset((self.flip_indices[a], self.flip_indices[b]))
            if mirror not in index:
                raise ValueError(f'BKPoseHeatmap: the mirror of link ({a}, {b}) is not a link')
            perm.append(self.num_keypoints + index[mirror])
        return perm

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
        """Encode keypoints (input-image coordinates) into keypoint + body-part heatmaps.

        Each person is drawn in the window its Gaussians reach (cost per person, not per
        person x image), then combined with the maximum.

        Args:
            keypoints (np.ndarray): (N, K, 2) keypoint coordinates in the input image.
            keypoints_visible (np.ndarray, optional): (N, K) visibility (> 0.5: labelled).

        Returns:
            dict: ``heatmaps`` (K + B, H, W) float32 and ``keypoint_weights`` (N, K) float32.
        """
        keypoints = np.asarray(keypoints, dtype=np.float32)
        if keypoints.ndim != 3 or keypoints.shape[1] != self.num_keypoints:
            raise ValueError(f'BKPoseHeatmap: keypoints must be (N, {self.num_keypoints}, 2), '
                             f'got {keypoints.shape}')
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        visible = np.asarray(keypoints_visible) > 0.5
        W, H = self.heatmap_size
        heatmaps = np.zeros((self.num_channels, H, W), dtype=np.float32)
        reach = max(self._hm['r0'], self._hm['d0'])
        for points, vis in zip(self.to_heatmap(keypoints[..., :2]), visible):
            if not vis.any():
                continue
            lo = np.floor(points[vis].min(0) - reach).astype(int).clip(0, [W, H])
            hi = np.ceil(points[vis].max(0) + reach + 1).astype(int).clip(0, [W, H])
            if (hi <= lo).any():
                continue
            window = self._draw(points - lo, vis, hi[0] - lo[0], hi[1] - lo[1])
            view = heatmaps[:, lo[1]:hi[1], lo[0]:hi[0]]
            np.maximum(view, window, out=view)
        return dict(heatmaps=heatmaps, keypoint_weights=visible.astype(np.float32))

    def _draw(self, points: np.ndarray, visible: np.ndarray, W: int, H: int) -> np.ndarray:
        """(K + B, H, W) maps of one person, ``points`` (K, 2) in heatmap pixels."""
        xs = np.arange(W, dtype=np.float32)
        ys = np.arange(H, dtype=np.float32)
        maps = np.zeros((self.num_channels, H, W), dtype=np.float32)
        # keypoint Gaussians: (K, H, W), separable squared distance
        d2 = ((xs[None, None, :] - points[:, 0, None, None]) ** 2 +
              (ys[None, :, None] - points[:, 1, None, None]) ** 2)
        gauss = np.exp(-d2 / (2 * self._hm['sigma_k'] ** 2))
        gauss[(d2 > self._hm['r0'] ** 2) | ~visible[:, None, None]] = 0
        maps[:self.num_keypoints] = gauss
        # body-part Gaussians of the distance to each link's segment: (B, H, W)
        if self.num_links:
            a_idx, b_idx = self.link_array.T
            pa, pb = points[a_idx], points[b_idx]  # (B, 2)
            seg = pb - pa
            seg_len2 = np.maximum((seg ** 2).sum(-1), 1e-6)[:, None, None]
            rel_x = xs[None, None, :] - pa[:, 0, None, None]  # (B, 1, W)
            rel_y = ys[None, :, None] - pa[:, 1, None, None]  # (B, H, 1)
            t = np.clip((rel_x * seg[:, 0, None, None] + rel_y * seg[:, 1, None, None]) /
                        seg_len2, 0, 1)
            d2 = ((rel_x - t * seg[:, 0, None, None]) ** 2 +
                  (rel_y - t * seg[:, 1, None, None]) ** 2)
            limbs = np.exp(-d2 / (2 * self._hm['sigma_b'] ** 2))
            both = visible[a_idx] & visible[b_idx]
            limbs[(d2 > self._hm['d0'] ** 2) | ~both[:, None, None]] = 0
            maps[self.num_keypoints:] = limbs
        return maps

    def grouping(self) -> BKPoseGrouping:
        """The numpy grouping (:class:`posezoo.edge.grouping.BKPoseGrouping`, the one shared
        with the edge runtime) with this codec's current settings and torch's peak search and
        limb sampling."""
        settings = tuple(getattr(self, name) for name in GROUPING_KEYS)
        if getattr(self, '_grouping_key', None) != settings:
            self._grouping = _TorchKernels(self.num_keypoints, self.skeleton_links,
                                           **dict(zip(GROUPING_KEYS, settings)))
            self._grouping_key = settings
        return self._grouping

    def decode(self, encoded: Union[Tensor, np.ndarray]
               ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Group the keypoint peaks of one heatmap into people (see the module docstring).

        Args:
            encoded (Tensor | np.ndarray): (K + B, H, W) heatmaps of one image.

        Returns:
            tuple:
            - keypoints (np.ndarray): (P, K, 2) in input-image coordinates.
            - keypoint_scores (np.ndarray): (P, K), 0 for keypoints the person lacks.
            - instance_scores (np.ndarray): (P,), sorted in descending order.
        """
        if isinstance(encoded, Tensor):
            encoded = encoded.detach().float().cpu().numpy()
        encoded = np.asarray(encoded, dtype=np.float32)
        if encoded.ndim != 3 or encoded.shape[0] != self.num_channels:
            raise ValueError(f'BKPoseHeatmap: expected ({self.num_channels}, H, W) heatmaps, '
                             f'got {tuple(encoded.shape)}')
        return self.grouping().decode(encoded)



class _TorchKernels(BKPoseGrouping):
    """:class:`BKPoseGrouping` with torch's max-pool NMS / top-k and ``grid_sample``."""

    def _peaks(self, heatmaps: np.ndarray, limit: Optional[int]) -> Tuple[np.ndarray, np.ndarray]:
        maps = torch.from_numpy(heatmaps)
        r = self.nms_kernel // 2
        with torch.no_grad():
            # max-pool NMS, separable: the same maxima as mmpose's batch_heatmap_nms (a square
            # window; tested equal), about 3x faster on CPU
            pooled = F.max_pool2d(maps[None], (1, self.nms_kernel), 1, (0, r))
            pooled = F.max_pool2d(pooled, (self.nms_kernel, 1), 1, (r, 0))[0]
            peaks = torch.where((maps == pooled) & (maps > self.score_thr), maps,
                                torch.zeros_like(maps)).flatten(1)
            m = int((peaks > 0).sum(1).max())
            if limit is not None:
                m = min(m, limit)
            scores, index = peaks.topk(max(m, 1), dim=1)
        return index.numpy(), scores.numpy()

    def _sample(self, limb_maps: np.ndarray, points: np.ndarray) -> np.ndarray:
        B, H, W = limb_maps.shape
        # bilinear reading; with align_corners=True grid -1 / +1 is pixel 0 / W - 1
        norm = np.array([max(W - 1, 1), max(H - 1, 1)], dtype=np.float32)
        grid = torch.from_numpy(points / norm * 2 - 1)[:, :, None]  # (B, N, 1, 2)
        with torch.no_grad():
            return F.grid_sample(torch.from_numpy(limb_maps)[:, None], grid, mode='bilinear',
                                 align_corners=True)[:, 0, :, 0].numpy()
