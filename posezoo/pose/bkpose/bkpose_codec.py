"""BK-Pose codec: keypoint + body-part heatmaps (eq. 1) and the keypoint-assignment decoder.

Encoding (registered as ``BKPoseHeatmap`` in ``KEYPOINT_CODECS``): for K keypoints and the B
skeleton links of the dataset metainfo, one (K + B, H, W) heatmap at full resolution (stride 4):

* keypoint j: ``exp(-d^2 / (2 sigma_k^2))`` around each visible keypoint, ``d`` the distance to
  it, zero beyond ``r0``;
* link (a, b): ``exp(-d^2 / (2 sigma_b^2))``, ``d`` the distance to the *segment* between the two
  joints (both visible), zero beyond ``d0``;
* people are combined with the maximum.

The sigmas (and ``r0``, ``d0``) are given in **input-image pixels** (512x512 input in the paper)
and divided by the stride (input / heatmap size) on the heatmap: sigma_k = 9 is 2.25 heatmap pixels
at 128x128. Gaussian centres keep their sub-pixel position. The smaller scales' targets are the
adaptive average pooling of this map (:func:`pool_pyramid`, used by the head); the mask W(p)
(crowd and unannotated people) comes from mmpose's ``BottomupGetHeatmapMask``.

Decoding (the paper's unspecified "Keypoint Assignment Algorithm", posezoo's design), on one
(K + B, H, W) heatmap, vectorised in torch except the final union of accepted connections:

1. candidates: local maxima (max-pool NMS) above ``score_thr``, the best ``max_candidates`` per
   keypoint type, refined to sub-pixel by a quadratic fit of the log-heatmap (exact for a
   Gaussian peak);
2. limb scoring: for every link and every candidate pair, ``num_samples`` points on the segment
   are read (bilinear) from the link's body-part heatmap; score = mean + OpenPose's length prior
   ``min(0, 0.5 * H / length - 1)``; a pair is admissible when at least ``min_on_limb`` of the
   samples exceed ``limb_thr``;
3. matching: greedy one-to-one per link, computed as repeated mutual-best (row and column argmax)
   rounds over all links at once, on the connection's *priority* = limb score + the mean peak
   value of its two keypoint candidates. The limb score alone cannot tell a real joint from a
   weak spurious peak of the same type lying on the limb map: a learned (focal L2) heatmap keeps
   faint ghost peaks (~0.1-0.2) of one keypoint type at a neighbouring joint, and the segment
   from a joint to a ghost of its partner sitting on top of it samples only the bright end of
   the body-part map, so it scores as high as (or higher than) the real limb;
4. assembly: accepted connections, highest priority first, join people (a union that never gives
   a person two keypoints of one type); unmatched candidates become one-keypoint people; parts that no
   link can join (a joint between them is not visible) are merged when they lie close enough
   for their skeleton distance (:meth:`BKPoseHeatmap._merge_fragments`);
5. instance score: (sum of keypoint scores + sum of accepted limb scores) / (K + B); missing
   keypoints get score 0 and the mean position of the person's keypoints.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import KEYPOINT_CODECS
from torch import Tensor


def pool_pyramid(full: Tensor, sizes: Sequence[Tuple[int, int]]) -> List[Tensor]:
    """Adaptive average pooling of full-resolution targets to each (H_i, W_i) in ``sizes``.

    Args:
        full (Tensor): (B, C, H, W) targets.
        sizes (Sequence[Tuple[int, int]]): output sizes (H_i, W_i).

    Returns:
        List[Tensor]: (B, C, H_i, W_i) each (``full`` itself where the size already matches).
    """
    return [full if tuple(full.shape[-2:]) == tuple(s) else F.adaptive_avg_pool2d(full, s)
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
            ``dict(from_file='configs/_base_/datasets/coco.py')``) giving the keypoints, the
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
            remove; as candidates, such peaks join people in place of real keypoints.
        nms_kernel (int): max-pool NMS window (odd). Default 5.
        max_candidates (int): candidates per keypoint type. Default 30.
        num_samples (int): points sampled on each candidate segment. Default 10.
        limb_thr (float): body-part value a sample must exceed. Default 0.1.
        min_on_limb (float): fraction of samples that must exceed ``limb_thr``. Default 0.8.
        merge_ratio (float): how far (per skeleton hop, in longest-link units) parts of one
            person left unconnected by a missing joint may lie to be joined. Default 1.5.
        max_instances (int): most people returned, best instance scores first. Default 30.
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
                 max_candidates: int = 30,
                 num_samples: int = 10,
                 limb_thr: float = 0.1,
                 min_on_limb: float = 0.8,
                 merge_ratio: float = 1.5,
                 max_instances: int = 30) -> None:
        super().__init__()
        if (num_keypoints is None) != (skeleton_links is None):
            raise ValueError('BKPoseHeatmap: give num_keypoints and skeleton_links together '
                             '(or neither, to read them from metainfo)')
        self.flip_indices: Optional[List[int]] = None
        if num_keypoints is None:
            if metainfo is None:
                metainfo = dict(from_file='configs/_base_/datasets/coco.py')
            if isinstance(metainfo, str):
                metainfo = dict(from_file=metainfo)
            meta = parse_pose_metainfo(metainfo)
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
        self.score_thr = score_thr
        if nms_kernel % 2 != 1:
            raise ValueError(f'BKPoseHeatmap: nms_kernel must be odd, got {nms_kernel}')
        self.nms_kernel = nms_kernel
        self.max_candidates = max_candidates
        self.num_samples = num_samples
        self.limb_thr = limb_thr
        self.min_on_limb = min_on_limb
        self.merge_ratio = merge_ratio
        self.max_instances = max_instances
        # hops between keypoint types in the skeleton graph (inf: not connected)
        self._adjacency = np.zeros((num_keypoints, num_keypoints), dtype=np.int64)
        for a, b in self.skeleton_links:
            self._adjacency[a, b] = self._adjacency[b, a] = 1
        hops = np.where(self._adjacency > 0, 1.0, np.inf)
        np.fill_diagonal(hops, 0)
        for k in range(num_keypoints):  # Floyd-Warshall
            hops = np.minimum(hops, hops[:, k, None] + hops[None, k, :])
        hops[hops == 0] = np.inf  # a type never joins a person that has it
        self._hops = hops

    @property
    def num_channels(self) -> int:
        """K + B, the channels of the heatmaps."""
        return self.num_keypoints + self.num_links

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
        points = keypoints[..., :2] / self.scale_factor  # (N, K, 2) heatmap coordinates
        xs = np.arange(W, dtype=np.float32)
        ys = np.arange(H, dtype=np.float32)
        heatmaps = np.zeros((self.num_channels, H, W), dtype=np.float32)

        # keypoint Gaussians: (N, K, H, W), separable squared distance
        d2 = ((xs[None, None, None, :] - points[..., 0, None, None]) ** 2 +
              (ys[None, None, :, None] - points[..., 1, None, None]) ** 2)
        gauss = np.exp(-d2 / (2 * self._hm['sigma_k'] ** 2))
        gauss[(d2 > self._hm['r0'] ** 2) | ~visible[..., None, None]] = 0
        if len(points):
            heatmaps[:self.num_keypoints] = gauss.max(0)

        # body-part Gaussians of the distance to each link's segment: (N, B, H, W)
        if self.num_links and len(points):
            a_idx, b_idx = self.link_array.T
            pa, pb = points[:, a_idx], points[:, b_idx]  # (N, B, 2)
            seg = pb - pa
            seg_len2 = np.maximum((seg ** 2).sum(-1), 1e-6)[..., None, None]
            rel_x = xs[None, None, None, :] - pa[..., 0, None, None]  # (N, B, 1, W)
            rel_y = ys[None, None, :, None] - pa[..., 1, None, None]  # (N, B, H, 1)
            t = np.clip((rel_x * seg[..., 0, None, None] + rel_y * seg[..., 1, None, None]) /
                        seg_len2, 0, 1)
            d2 = ((rel_x - t * seg[..., 0, None, None]) ** 2 +
                  (rel_y - t * seg[..., 1, None, None]) ** 2)
            limbs = np.exp(-d2 / (2 * self._hm['sigma_b'] ** 2))
            both = visible[:, a_idx] & visible[:, b_idx]
            limbs[(d2 > self._hm['d0'] ** 2) | ~both[..., None, None]] = 0
            heatmaps[self.num_keypoints:] = limbs.max(0)
        return dict(heatmaps=heatmaps, keypoint_weights=visible.astype(np.float32))

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
        heatmaps = torch.as_tensor(encoded, dtype=torch.float32)
        if heatmaps.dim() != 3 or heatmaps.shape[0] != self.num_channels:
            raise ValueError(f'BKPoseHeatmap: expected ({self.num_channels}, H, W) heatmaps, '
                             f'got {tuple(heatmaps.shape)}')
        K = self.num_keypoints
        with torch.no_grad():
            locs, scores, valid = self._candidates(heatmaps[:K])
            if not valid.any():
                return (np.zeros((0, K, 2), np.float32), np.zeros((0, K), np.float32),
                        np.zeros((0, ), np.float32))
            pair_scores = self._score_pairs(heatmaps[K:], locs, valid)
            a_idx, b_idx = torch.from_numpy(self.link_array).T
            priority = pair_scores + 0.5 * (scores[a_idx][:, :, None] + scores[b_idx][:, None, :])
            links, rows, cols, link_priority = self._match(priority)
            link_scores = pair_scores[links, rows, cols].numpy()
        keypoints, keypoint_scores, instance_scores = self._assemble(
            locs.numpy(), scores.numpy(), valid.numpy(), links, rows, cols, link_scores,
            link_priority)
        return keypoints * self.scale_factor, keypoint_scores, instance_scores

    def _candidates(self, heatmaps: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Peaks of (K, H, W) keypoint heatmaps.

        Returns:
            tuple: locations (K, M, 2) (x, y) sub-pixel heatmap coordinates, scores (K, M),
            valid (K, M) bool, M <= ``max_candidates``.
        """
        K, H, W = heatmaps.shape
        r = self.nms_kernel // 2
        # separable max-pool NMS (the same result as a square window, cheaper)
        pooled = F.max_pool2d(heatmaps[None], (1, self.nms_kernel), 1, (0, r))
        pooled = F.max_pool2d(pooled, (self.nms_kernel, 1), 1, (r, 0))[0]
        peaks = torch.where((heatmaps == pooled) & (heatmaps > self.score_thr), heatmaps,
                            torch.zeros_like(heatmaps)).flatten(1)
        m = int(min(self.max_candidates, int((peaks > 0).sum(1).max())))
        scores, index = peaks.topk(max(m, 1), dim=1)
        valid = scores > 0
        x, y = index % W, index // W
        # sub-pixel: vertex of the parabola through the log-heatmap at x-1, x, x+1 (same for y)
        flat = heatmaps.flatten(1)

        def log_at(xx: Tensor, yy: Tensor) -> Tensor:
            return flat.gather(1, yy.clamp(0, H - 1) * W + xx.clamp(0, W - 1)).clamp(
                min=1e-10).log()

        def offset(prev: Tensor, cur: Tensor, nxt: Tensor, inside: Tensor) -> Tensor:
            curvature = nxt - 2 * cur + prev
            off = torch.where(curvature < 0, -0.5 * (nxt - prev) / curvature.clamp(max=-1e-6),
                              torch.zeros_like(cur))
            return torch.where(inside, off.clamp(-0.5, 0.5), torch.zeros_like(off))

        centre = log_at(x, y)
        dx = offset(log_at(x - 1, y), centre, log_at(x + 1, y), (x > 0) & (x < W - 1))
        dy = offset(log_at(x, y - 1), centre, log_at(x, y + 1), (y > 0) & (y < H - 1))
        locs = torch.stack([x + dx, y + dy], dim=-1).float()
        # plateaus (two equal neighbouring maxima) survive max-pool NMS: drop a candidate
        # within the NMS radius of a better one of the same type
        near = torch.cdist(locs, locs) <= self.nms_kernel // 2  # (K, M, M)
        better = torch.ones(near.shape[1:], dtype=torch.bool).tril(-1)  # j < i: j is better
        valid = valid & ~(near & better & valid[:, None, :]).any(-1)
        return locs, scores, valid

    def _score_pairs(self, limb_maps: Tensor, locs: Tensor, valid: Tensor) -> Tensor:
        """Scores of every candidate pair of every link: (B, M, M), -inf where not admissible."""
        B, H, W = limb_maps.shape
        M = locs.shape[1]
        if B == 0:
            return torch.full((0, M, M), float('-inf'))
        a_idx, b_idx = torch.from_numpy(self.link_array).T
        pa = locs[a_idx][:, :, None, None, :]  # (B, M, 1, 1, 2)
        pb = locs[b_idx][:, None, :, None, :]  # (B, 1, M, 1, 2)
        t = torch.linspace(0, 1, self.num_samples).view(1, 1, 1, -1, 1)
        points = pa * (1 - t) + pb * t  # (B, M, M, S, 2)
        norm = torch.tensor([max(W - 1, 1), max(H - 1, 1)], dtype=torch.float32)
        grid = (points / norm * 2 - 1).view(B, M * M, self.num_samples, 2)
        samples = F.grid_sample(limb_maps[:, None], grid, mode='bilinear',
                                align_corners=True).view(B, M, M, self.num_samples)
        length = (pa - pb).squeeze(3).norm(dim=-1)  # (B, M, M)
        prior = (0.5 * H / length.clamp(min=1e-6) - 1).clamp(max=0)
        score = samples.mean(-1) + prior
        on_limb = (samples > self.limb_thr).float().mean(-1) >= self.min_on_limb
        ok = valid[a_idx][:, :, None] & valid[b_idx][:, None, :] & on_limb & (score > 0)
        return torch.where(ok, score, torch.full_like(score, float('-inf')))

    @staticmethod
    def _match(pair_scores: Tensor) -> Tuple[np.ndarray, ...]:
        """Greedy one-to-one matching of every link at once by mutual-best rounds.

        Args:
            pair_scores (Tensor): (B, M, M) matching priorities, -inf where not admissible.

        Returns:
            tuple of np.ndarray: link index, candidate index of joint a, of joint b, and
            priority of each accepted connection.
        """
        scores = pair_scores.clone()
        accepted = []
        while True:
            best_col = scores.argmax(2)  # (B, M): best b for each a
            best_row = scores.argmax(1)  # (B, M): best a for each b
            rows = torch.arange(scores.shape[1])[None].expand_as(best_col)
            mutual = (best_row.gather(1, best_col) == rows) & torch.isfinite(
                scores.gather(2, best_col[..., None])[..., 0])
            if not mutual.any():
                break
            link, row = mutual.nonzero(as_tuple=True)
            col = best_col[link, row]
            accepted.append((link, row, col, scores[link, row, col]))
            scores[link, row, :] = float('-inf')
            scores[link, :, col] = float('-inf')
        if not accepted:
            empty = np.zeros((0, ), np.int64)
            return empty, empty, empty, np.zeros((0, ), np.float32)
        return tuple(torch.cat(parts).numpy() for parts in zip(*accepted))

    def _merge_fragments(self, index: np.ndarray, limb_total: np.ndarray,
                         locs: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Join the parts of one person that no link connects (a joint between them is missing).

        For two keypoints a, b of different people, ``r = |x_a - x_b| / hops(a, b)`` (``hops``:
        the distance of the two types in the skeleton graph) is compared with ``L``, the longest
        link of the two people; pairs with ``r <= merge_ratio * L`` join their people, smallest
        ``r / L`` first, when the two have no keypoint type in common and no link joins a
        keypoint of one to a keypoint of the other (that link's body-part map would have
        connected them, had they been one person).

        Args:
            index (np.ndarray): (P, K) candidate index of each keypoint, -1 where missing.
            limb_total (np.ndarray): (P,) summed limb scores.
            locs (np.ndarray): (K, M, 2) candidate locations.

        Returns:
            tuple: the merged ``index`` (P', K) and ``limb_total`` (P',).
        """
        P, K = index.shape
        found = index >= 0
        points = locs[np.arange(K), np.where(found, index, 0)]  # (P, K, 2)
        links = self.link_array
        link_len = np.linalg.norm(points[:, links[:, 0]] - points[:, links[:, 1]], axis=-1)
        scale = np.where(found[:, links[:, 0]] & found[:, links[:, 1]], link_len,
                         0).max(1, initial=0)  # (P,)
        pid, kind = np.nonzero(found)  # one entry per keypoint of every person
        pos = points[pid, kind]
        hops = self._hops[kind[:, None], kind[None, :]]
        ratio = np.linalg.norm(pos[:, None] - pos[None], axis=-1) / hops
        pair_scale = np.maximum(scale[pid][:, None], scale[pid][None, :])
        ok = (np.isfinite(hops) & (pid[:, None] < pid[None, :]) & (pair_scale > 0) &
              (ratio <= self.merge_ratio * pair_scale))
        first, second = np.nonzero(ok)
        if not len(first):
            return index, limb_total
        order = np.argsort((ratio / np.where(pair_scale > 0, pair_scale, 1))[first, second],
                           kind='stable')
        # two people holding the two ends of a link were not joined by that link's body-part
        # map: they are different people
        linked = found.astype(np.int64) @ self._adjacency @ found.T.astype(np.int64) > 0
        root = np.arange(P)
        for i, j in zip(pid[first[order]], pid[second[order]]):
            while root[i] != i:
                i = root[i]
            while root[j] != j:
                j = root[j]
            if i != j and not (found[i] & found[j]).any() and not linked[i, j]:
                index[i] = np.where(found[j], index[j], index[i])
                found[i] |= found[j]
                limb_total[i] += limb_total[j]
                linked[i] |= linked[j]
                linked[:, i] |= linked[:, j]
                root[j] = i
        keep = root == np.arange(P)
        return index[keep], limb_total[keep]

    def _assemble(self, locs: np.ndarray, scores: np.ndarray, valid: np.ndarray,
                  links: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                  link_scores: np.ndarray, link_priority: np.ndarray
                  ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Join accepted connections into people, highest priority first; ``link_scores`` (the
        limb scores) add up to each person's limb total."""
        K, M = scores.shape
        owner = np.full((K, M), -1, dtype=np.int64)
        members: List[np.ndarray] = []  # per person: (K,) candidate index or -1
        limb_sum: List[float] = []
        for i in np.argsort(-link_priority, kind='stable'):
            ka, kb = self.link_array[links[i]]
            ca, cb, s = rows[i], cols[i], float(link_scores[i])
            pa, pb = owner[ka, ca], owner[kb, cb]
            if pa < 0 and pb < 0:
                person = np.full(K, -1, dtype=np.int64)
                person[ka], person[kb] = ca, cb
                members.append(person)
                limb_sum.append(s)
                owner[ka, ca] = owner[kb, cb] = len(members) - 1
            elif pa >= 0 and pb < 0:
                if members[pa][kb] < 0:
                    members[pa][kb] = cb
                    owner[kb, cb] = pa
                    limb_sum[pa] += s
            elif pb >= 0 and pa < 0:
                if members[pb][ka] < 0:
                    members[pb][ka] = ca
                    owner[ka, ca] = pb
                    limb_sum[pb] += s
            elif pa != pb:
                if not ((members[pa] >= 0) & (members[pb] >= 0)).any():
                    taken = members[pb] >= 0
                    members[pa][taken] = members[pb][taken]
                    owner[owner == pb] = pa
                    limb_sum[pa] += limb_sum[pb] + s
                    members[pb][:] = -1
                    limb_sum[pb] = 0.0
            else:
                limb_sum[pa] += s
        for k, m in zip(*np.nonzero(valid & (owner < 0))):
            person = np.full(K, -1, dtype=np.int64)
            person[k] = m
            members.append(person)
            limb_sum.append(0.0)
        if not members:
            return (np.zeros((0, K, 2), np.float32), np.zeros((0, K), np.float32),
                    np.zeros((0, ), np.float32))
        index = np.stack(members)  # (P, K)
        alive = (index >= 0).any(1)
        index, limb_total = index[alive], np.asarray(limb_sum, np.float32)[alive]
        index, limb_total = self._merge_fragments(index, limb_total, locs)
        found = index >= 0
        safe = np.where(found, index, 0)
        k_grid = np.arange(K)[None].repeat(len(index), 0)
        keypoint_scores = np.where(found, scores[k_grid, safe], 0).astype(np.float32)
        keypoints = locs[k_grid, safe]  # (P, K, 2)
        mean = (keypoints * found[..., None]).sum(1) / found.sum(1, keepdims=True)
        keypoints = np.where(found[..., None], keypoints, mean[:, None]).astype(np.float32)
        instance_scores = (keypoint_scores.sum(1) + limb_total) / (K + self.num_links)
        order = np.argsort(-instance_scores, kind='stable')[:self.max_instances]
        return keypoints[order], keypoint_scores[order], instance_scores[order].astype(
            np.float32)
