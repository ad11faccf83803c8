"""BK-Pose keypoint assignment (decoding and grouping) in numpy and OpenCV, without torch.

The one implementation of BK-Pose's grouping: :class:`BKPoseGrouping` is used by the torch
codec (``posezoo.pose.bkpose.BKPoseHeatmap.decode``, which only swaps the two dense kernels,
the peak search and the limb sampling, for torch ones) and by the edge runtime
(:class:`posezoo.edge.decode.EdgeBKPoseDecoder`). The algorithm is described in the codec's
module docstring. The dense kernels here:

* max-pool NMS -> ``cv2.dilate`` with the square kernel (the same max filter as
  ``F.max_pool2d`` with stride 1 and -inf padding; its border never wins);
* ``topk`` -> a stable descending ``argsort``;
* ``F.grid_sample`` (bilinear, ``align_corners=True``, zero padding) -> :func:`bilinear`.
"""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

Decoded = Tuple[np.ndarray, np.ndarray, np.ndarray]

#: The codec settings that decoding reads: the arguments of :class:`BKPoseGrouping` besides K
#: and the links (``BKPoseHeatmap`` attributes, written to the edge sidecar).
GROUPING_KEYS = ('input_size', 'heatmap_size', 'score_thr', 'nms_kernel', 'max_candidates',
                 'num_samples', 'limb_thr', 'min_on_limb', 'length_tolerance', 'length_prior',
                 'merge_ratio', 'merge_max_hops', 'merge_max_scale_ratio', 'min_keypoints',
                 'min_fragment_score', 'min_mean_score', 'max_instances')


def empty_result(K: int) -> Decoded:
    """No people: keypoints (0, K, 2), keypoint scores (0, K), instance scores (0,)."""
    return (np.zeros((0, K, 2), np.float32), np.zeros((0, K), np.float32),
            np.zeros((0, ), np.float32))


def max_filter(maps: np.ndarray, kernel: int) -> np.ndarray:
    """Max over the (k, k) window centred on each pixel of (C, H, W) maps; outside the map
    does not count (``F.max_pool2d`` with stride 1 and padding k // 2: OpenCV's default
    border of a dilation never wins)."""
    element = np.ones((kernel, kernel), np.uint8)
    return np.stack([cv2.dilate(m, element) for m in maps]) if len(maps) else maps.copy()


def bilinear(maps: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinear samples of (B, H, W) maps at (B, N, 2) (x, y) pixel positions -> (B, N), as
    ``F.grid_sample(align_corners=True)`` computes them: the positions go through the same
    normalised-grid round trip, corners outside the map count as 0 (zero padding)."""
    B, H, W = maps.shape
    size = np.array([max(W - 1, 1), max(H - 1, 1)], dtype=np.float32)
    grid = points / size * 2 - 1
    source = (grid + 1) / 2 * np.array([W - 1, H - 1], dtype=np.float32)
    ix, iy = source[..., 0], source[..., 1]
    x0, y0 = np.floor(ix), np.floor(iy)
    x1, y1 = x0 + 1, y0 + 1
    flat = maps.reshape(B, H * W)
    out = np.zeros(ix.shape, np.float32)
    for xx, yy, weight in ((x0, y0, (x1 - ix) * (y1 - iy)), (x1, y0, (ix - x0) * (y1 - iy)),
                           (x0, y1, (x1 - ix) * (iy - y0)), (x1, y1, (ix - x0) * (iy - y0))):
        xi, yi = xx.astype(np.int64), yy.astype(np.int64)
        inside = (xi >= 0) & (xi < W) & (yi >= 0) & (yi < H)
        value = np.take_along_axis(flat, np.where(inside, yi * W + xi, 0), axis=1)
        out += np.where(inside, value * weight, np.float32(0))
    return out


#: Typical limb lengths of COCO-17 people relative to the shoulder width (the median of
#: ``|link| / sqrt(area)`` over the people of coco-mini train + val2017 with >= 8 keypoints,
#: divided by the shoulders' median): legs ~1.05, hips 0.6, torso 1.57, upper arm 0.81, forearm
#: 0.67, eyes 0.25, nose-eye 0.16, eye-ear 0.29, ear-shoulder 0.69. The grouping measures a
#: person's scale in shoulder widths from whichever limbs it has (a face alone gives it too) and
#: the distance two keypoint types may be apart along the skeleton.
COCO_LIMB_LENGTHS = {
    (15, 13): 1.06, (13, 11): 1.07, (16, 14): 1.06, (14, 12): 1.07, (11, 12): 0.6,
    (5, 11): 1.57, (6, 12): 1.57, (5, 6): 1.0, (5, 7): 0.81, (6, 8): 0.81, (7, 9): 0.67,
    (8, 10): 0.67, (1, 2): 0.25, (0, 1): 0.16, (0, 2): 0.16, (1, 3): 0.29, (2, 4): 0.29,
    (3, 5): 0.69, (4, 6): 0.69}


def limb_lengths(num_keypoints: int, skeleton_links: Sequence[Tuple[int, int]]) -> np.ndarray:
    """(B,) typical length of each link: :data:`COCO_LIMB_LENGTHS` for COCO-17's skeleton (in
    any order and direction), else 1 for every link (the scale is then the longest limb)."""
    table = {frozenset(link): v for link, v in COCO_LIMB_LENGTHS.items()}
    links = [frozenset(link) for link in skeleton_links]
    if num_keypoints == 17 and set(links) == set(table) and len(links) == len(table):
        return np.array([table[link] for link in links], dtype=np.float64)
    return np.ones(len(links), dtype=np.float64)


def pair_scale(s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """The scale of two people (broadcast arrays): the geometric mean of the two scales, the
    one known where the other is 0 (a person without a limb), 0 where neither is known."""
    return np.where((s1 > 0) & (s2 > 0), np.sqrt(s1 * s2), np.maximum(s1, s2))


def skeleton_graph(num_keypoints: int, skeleton_links: Sequence[Tuple[int, int]],
                   weights: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Adjacency (K, K) int64 of the keypoint types and the shortest distances (K, K) between
    them in the skeleton graph (hops, or the sum of ``weights`` (B,) along the path; inf:
    unconnected)."""
    adjacency = np.zeros((num_keypoints, num_keypoints), dtype=np.int64)
    dist = np.full((num_keypoints, num_keypoints), np.inf)
    for (a, b), w in zip(skeleton_links, np.ones(len(skeleton_links)) if weights is None
                         else weights):
        adjacency[a, b] = adjacency[b, a] = 1
        dist[a, b] = dist[b, a] = min(dist[a, b], w)
    np.fill_diagonal(dist, 0)
    for k in range(num_keypoints):  # Floyd-Warshall
        dist = np.minimum(dist, dist[:, k, None] + dist[None, k, :])
    return adjacency, dist


class BKPoseGrouping:
    """The BK-Pose keypoint-assignment decoder (see ``BKPoseHeatmap``'s module docstring).

    Args:
        num_keypoints (int): K.
        skeleton_links (Sequence[Tuple[int, int]]): the B links.
        input_size, heatmap_size (Tuple[int, int]): (w, h) of the input and of the heatmaps.
        score_thr, nms_kernel, max_candidates, num_samples, limb_thr, min_on_limb,
        length_tolerance, length_prior, merge_ratio, merge_max_hops, merge_max_scale_ratio,
        min_keypoints, min_fragment_score, min_mean_score, max_instances: as in
        ``BKPoseHeatmap``.
    """

    def __init__(self, num_keypoints: int, skeleton_links: Sequence[Tuple[int, int]],
                 input_size: Tuple[int, int], heatmap_size: Tuple[int, int], score_thr: float,
                 nms_kernel: int, max_candidates: Optional[int], num_samples: int,
                 limb_thr: float, min_on_limb: float, length_tolerance: float,
                 length_prior: float, merge_ratio: float, merge_max_hops: int,
                 merge_max_scale_ratio: float, min_keypoints: int,
                 min_fragment_score: float, min_mean_score: float,
                 max_instances: int) -> None:
        self.num_keypoints = int(num_keypoints)
        self.skeleton_links = [tuple(int(i) for i in link) for link in skeleton_links]
        self.num_links = len(self.skeleton_links)
        self.link_array = np.array(self.skeleton_links, dtype=np.int64).reshape(-1, 2)
        self.scale_factor = (np.array(input_size, dtype=np.float32) /
                             np.array(heatmap_size, dtype=np.float32))
        if nms_kernel % 2 != 1:
            raise ValueError(f'nms_kernel must be odd, got {nms_kernel}')
        # candidates, pair scoring, merging, people: the settings as in ``BKPoseHeatmap``
        self.score_thr, self.nms_kernel, self.max_candidates = score_thr, nms_kernel, max_candidates
        self.num_samples, self.limb_thr, self.min_on_limb = num_samples, limb_thr, min_on_limb
        self.length_tolerance, self.length_prior = length_tolerance, length_prior
        self.merge_ratio, self.merge_max_hops, self.merge_max_scale_ratio = (
            merge_ratio, merge_max_hops, merge_max_scale_ratio)
        self.min_keypoints, self.min_fragment_score, self.min_mean_score, self.max_instances = (
            min_keypoints, min_fragment_score, min_mean_score, max_instances)
        self._adjacency, self._hops = skeleton_graph(self.num_keypoints, self.skeleton_links)
        self._limb_length = limb_lengths(self.num_keypoints, self.skeleton_links)
        _, self._path = skeleton_graph(self.num_keypoints, self.skeleton_links,
                                       self._limb_length)

    @property
    def num_channels(self) -> int:
        return self.num_keypoints + self.num_links

    def to_input(self, points: np.ndarray) -> np.ndarray:
        """Heatmap (x, y) -> input-image (x, y), pixel centres: x = s (x_h + 0.5) - 0.5."""
        return (np.asarray(points, np.float32) + 0.5) * self.scale_factor - 0.5

    def decode(self, heatmaps) -> Decoded:
        """Group the keypoint peaks of one (K + B, H, W) heatmap into people.

        Returns:
            tuple: keypoints (P, K, 2) in input-image coordinates, keypoint scores (P, K)
            (0 where the person lacks the keypoint), instance scores (P,) in descending order.
        """
        heatmaps = np.asarray(heatmaps, dtype=np.float32)
        if heatmaps.ndim != 3 or heatmaps.shape[0] != self.num_channels:
            raise ValueError(f'expected ({self.num_channels}, H, W) heatmaps, got '
                             f'{heatmaps.shape}')
        K = self.num_keypoints
        locs, scores, valid = self._candidates(heatmaps[:K])
        if not valid.any():
            return empty_result(K)
        limb_scores, lengths = self._score_pairs(heatmaps[K:], locs, valid)
        index = self._assemble(scores, valid, limb_scores, lengths)
        if self.length_prior > 0 and len(index):
            index = self._assemble(scores, valid, self._scale_prior(index, locs, limb_scores,
                                                                    lengths), lengths)
        index = self._merge_fragments(index, locs, scores)
        keypoints, keypoint_scores, instance_scores = self._finish(index, locs, scores)
        return self.to_input(keypoints), keypoint_scores, instance_scores

    # dense kernels (the torch codec overrides these two) -------------------------------------

    def _peaks(self, heatmaps: np.ndarray, limit: Optional[int]) -> Tuple[np.ndarray, np.ndarray]:
        """Local maxima (max-pool NMS) of (K, H, W) maps above ``score_thr``, best first:
        flat pixel indices (K, M) and values (K, M) (0 where a type has fewer peaks); M = the
        most peaks of one type, at most ``limit``."""
        K = heatmaps.shape[0]
        pooled = max_filter(heatmaps, self.nms_kernel)
        peaks = np.where((heatmaps == pooled) & (heatmaps > self.score_thr), heatmaps,
                         np.float32(0)).reshape(K, -1)
        m = int((peaks > 0).sum(1).max())
        if limit is not None:
            m = min(m, limit)
        index = np.argsort(-peaks, axis=1, kind='stable')[:, :max(m, 1)]
        return index, np.take_along_axis(peaks, index, axis=1)

    def _sample(self, limb_maps: np.ndarray, points: np.ndarray) -> np.ndarray:
        """Bilinear samples (B, N) of (B, H, W) maps at (B, N, 2) heatmap positions."""
        return bilinear(limb_maps, points)

    # grouping -------------------------------------------------------------------------------

    def _candidates(self, heatmaps: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Peaks of (K, H, W) keypoint heatmaps: locations (K, M, 2) (x, y) sub-pixel heatmap
        coordinates, scores (K, M), valid (K, M)."""
        K, H, W = heatmaps.shape
        index, scores = self._peaks(heatmaps, self.max_candidates)
        valid = scores > 0
        x, y = index % W, index // W
        # sub-pixel: vertex of the parabola through the log-heatmap at x-1, x, x+1 (same for y)
        flat = heatmaps.reshape(K, -1)

        def log_at(xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
            value = np.take_along_axis(flat, np.clip(yy, 0, H - 1) * W + np.clip(xx, 0, W - 1),
                                       axis=1)
            return np.log(np.maximum(value, np.float32(1e-10)))

        def offset(prev: np.ndarray, cur: np.ndarray, nxt: np.ndarray,
                   inside: np.ndarray) -> np.ndarray:
            curvature = nxt - 2 * cur + prev
            off = np.where(curvature < 0,
                           -0.5 * (nxt - prev) / np.minimum(curvature, np.float32(-1e-6)),
                           np.float32(0))
            return np.where(inside, np.clip(off, -0.5, 0.5), np.float32(0))

        centre = log_at(x, y)
        dx = offset(log_at(x - 1, y), centre, log_at(x + 1, y), (x > 0) & (x < W - 1))
        dy = offset(log_at(x, y - 1), centre, log_at(x, y + 1), (y > 0) & (y < H - 1))
        locs = np.stack([x + dx, y + dy], axis=-1).astype(np.float32)
        # plateaus (two equal neighbouring maxima) survive max-pool NMS: drop a candidate
        # within the NMS radius of a better one of the same type
        near = np.linalg.norm(locs[:, :, None] - locs[:, None], axis=-1) <= self.nms_kernel // 2
        better = np.tril(np.ones(near.shape[1:], dtype=bool), -1)  # j < i: j is better
        valid = valid & ~(near & better & valid[:, None, :]).any(-1)
        return locs, scores, valid

    def _score_pairs(self, limb_maps: np.ndarray, locs: np.ndarray,
                     valid: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Limb scores (B, M, M) of every candidate pair of every link (-inf where not
        admissible): the mean of the mean and the minimum of the ``num_samples`` body-part
        values on the segment, plus the absolute length prior; and the segment lengths (B, M, M) in heatmap pixels."""
        B, H, W = limb_maps.shape
        M = locs.shape[1]
        if B == 0:
            return np.full((0, M, M), -np.inf, np.float32), np.zeros((0, M, M), np.float32)
        a_idx, b_idx = self.link_array.T
        pa = locs[a_idx][:, :, None, None, :]  # (B, M, 1, 1, 2)
        pb = locs[b_idx][:, None, :, None, :]  # (B, 1, M, 1, 2)
        t = np.linspace(0, 1, self.num_samples, dtype=np.float32).reshape(1, 1, 1, -1, 1)
        points = pa * (1 - t) + pb * t  # (B, M, M, S, 2)
        samples = self._sample(limb_maps, points.reshape(B, M * M * self.num_samples, 2)
                               ).reshape(B, M, M, self.num_samples)
        length = np.linalg.norm((pa - pb)[:, :, :, 0], axis=-1)  # (B, M, M)
        prior = np.minimum(0.5 * H / np.maximum(length, np.float32(1e-6)) - 1, 0)
        # the mean of the samples' mean and their minimum: a real limb's body-part map is a
        # ridge along the whole segment, a crossed pair of two overlapping people runs over
        # their limbs and through a gap between them (the minimum alone, chosen on half A of
        # coco-val-people, loses two small overlapping people on coco-mini val: their ridges
        # cover each other's gaps; see configs/body_2d_keypoint/bkpose/README.md)
        score = (0.5 * (samples.mean(-1) + samples.min(-1)) + prior).astype(np.float32)
        on_limb = (samples > self.limb_thr).astype(np.float32).mean(-1) >= self.min_on_limb
        ok = valid[a_idx][:, :, None] & valid[b_idx][:, None, :] & on_limb & (score > 0)
        return np.where(ok, score, np.float32(-np.inf)), length

    def _assemble(self, scores: np.ndarray, valid: np.ndarray, limb_scores: np.ndarray,
                  lengths: np.ndarray) -> np.ndarray:
        """Greedy assembly of the admissible connections into people (steps 3 and 4).

        Args:
            scores (np.ndarray): (K, M) candidate scores; valid (K, M) their mask.
            limb_scores (np.ndarray): (B, M, M) limb scores, -inf where not admissible.
            lengths (np.ndarray): (B, M, M) segment lengths in heatmap pixels.

        Returns:
            np.ndarray: ``index`` (P, K) candidate index of each person's keypoints (-1:
            missing).
        """
        K, M = scores.shape
        link, row, col = np.nonzero(np.isfinite(limb_scores))
        ka, kb = self.link_array[link, 0], self.link_array[link, 1]
        priority = limb_scores[link, row, col] + 0.5 * (scores[ka, row] + scores[kb, col])
        length = lengths[link, row, col]
        owner = np.full((K, M), -1, dtype=np.int64)
        used = np.zeros((self.num_links, 2, M), dtype=bool)  # one connection per end per link
        members: List[np.ndarray] = []  # per person: (K,) candidate index or -1
        scale: List[float] = []
        tol = self.length_tolerance
        for i in np.argsort(-priority, kind='stable'):
            lk, a, b, ca, cb = link[i], ka[i], kb[i], row[i], col[i]
            if used[lk, 0, ca] or used[lk, 1, cb]:
                continue
            pa, pb, r = owner[a, ca], owner[b, cb], float(length[i])
            if pa < 0 and pb < 0:
                person = np.full(K, -1, dtype=np.int64)
                person[a], person[b] = ca, cb
                members.append(person)
                scale.append(r)
                owner[a, ca] = owner[b, cb] = p = len(members) - 1
            elif pa >= 0 and pb >= 0:
                p = pa
                if pa != pb:
                    if ((members[pa] >= 0) & (members[pb] >= 0)).any() or r > tol * max(
                            scale[pa], scale[pb]):
                        continue
                    taken = members[pb] >= 0
                    members[pa][taken] = members[pb][taken]
                    owner[owner == pb] = pa
                    scale[pa] = max(scale[pa], scale[pb])
                    members[pb][:] = -1
            else:
                p, k, c = (pa, b, cb) if pa >= 0 else (pb, a, ca)
                if members[p][k] >= 0 or r > tol * scale[p]:
                    continue
                members[p][k] = c
                owner[k, c] = p
            used[lk, 0, ca] = used[lk, 1, cb] = True
            scale[p] = max(scale[p], r)
        for k, m in zip(*np.nonzero(valid & (owner < 0))):
            person = np.full(K, -1, dtype=np.int64)
            person[k] = m
            members.append(person)
        if not members:
            return np.zeros((0, K), np.int64)
        index = np.stack(members)
        return index[(index >= 0).any(1)]

    def _scale_prior(self, index: np.ndarray, locs: np.ndarray, limb_scores: np.ndarray,
                     lengths: np.ndarray) -> np.ndarray:
        """The limb scores with the limb-length prior relative to the people's scale (step 3's
        second pass): ``length_prior * |ln(length / expected)|`` subtracted, ``expected`` the
        link's typical length (:data:`COCO_LIMB_LENGTHS`) times the scale
        (:meth:`_person_scale`) of the first pass's people the two candidates belong to (the
        geometric mean of the two, the one known where only one is; no prior where neither is).

        Args:
            index (np.ndarray): (P, K) the first pass's people.
            locs (np.ndarray): (K, M, 2) candidate locations.
            limb_scores (np.ndarray): (B, M, M) limb scores, -inf where not admissible.
            lengths (np.ndarray): (B, M, M) segment lengths in heatmap pixels.

        Returns:
            np.ndarray: (B, M, M) float32 limb scores (the same admissible pairs).
        """
        K, M = locs.shape[:2]
        found = index >= 0
        scale = self._person_scale(locs[np.arange(K), np.where(found, index, 0)], found)
        person, kind = np.nonzero(found)
        candidate_scale = np.zeros((K, M))
        candidate_scale[kind, index[person, kind]] = scale[person]
        sa = candidate_scale[self.link_array[:, 0]][:, :, None]  # (B, M, 1)
        sb = candidate_scale[self.link_array[:, 1]][:, None, :]  # (B, 1, M)
        expected = pair_scale(sa, sb) * self._limb_length[:, None, None]
        known = expected > 0
        penalty = np.zeros(expected.shape)
        penalty[known] = np.abs(np.log(np.maximum(lengths[known], 1e-6) / expected[known]))
        return (limb_scores - self.length_prior * penalty).astype(np.float32)

    def _person_scale(self, points: np.ndarray, found: np.ndarray) -> np.ndarray:
        """(P,) scale of each person: the largest ratio of one of its limbs to that limb's
        typical length (:func:`limb_lengths`; foreshortening only shortens limbs); 0: none."""
        links = self.link_array
        length = np.linalg.norm(points[:, links[:, 0]] - points[:, links[:, 1]], axis=-1)
        both = found[:, links[:, 0]] & found[:, links[:, 1]]
        return np.where(both, length / self._limb_length, 0).max(1, initial=0)

    def _merge_fragments(self, index: np.ndarray, locs: np.ndarray,
                         scores: np.ndarray) -> np.ndarray:
        """Join the parts of one person that no link connects (a joint between them is missing).

        For keypoints a, b of two different people (types at most ``merge_max_hops`` skeleton
        hops apart), ``d = |x_a - x_b| / L(a, b)``, ``L`` the typical skeleton path between the
        two types in shoulder widths (:data:`COCO_LIMB_LENGTHS`; hops for other skeletons), and
        ``r = d / S``, ``S`` the people's scale in shoulder widths (:meth:`_person_scale`;
        the geometric mean of the two, or the one known when the other has no limb). Pairs
        with ``r <= merge_ratio`` join their people, smallest mean ``d / m`` over those pairs
        first (``m`` the weaker of the two people's mean keypoint scores), when the two people's
        scales differ at most ``merge_max_scale_ratio``-fold (or one has fewer than
        ``min_keypoints`` keypoints), have no keypoint type in common
        and no link joins a keypoint of one to a keypoint of the other: that link's body-part
        map would have connected them, had they been one person (the limb evidence against a
        merge).

        Args:
            index (np.ndarray): (P, K) candidate index of each keypoint, -1 where missing.
            locs (np.ndarray): (K, M, 2) candidate locations.
            scores (np.ndarray): (K, M) candidate scores.

        Returns:
            np.ndarray: the merged ``index`` (P', K).
        """
        P, K = index.shape
        found = index >= 0
        points = locs[np.arange(K), np.where(found, index, 0)]  # (P, K, 2)
        scale = self._person_scale(points, found)
        pid, kind = np.nonzero(found)  # one entry per keypoint of every person
        pos = points[pid, kind]
        hops = self._hops[kind[:, None], kind[None, :]]
        path = self._path[kind[:, None], kind[None, :]]
        # the scale of a pair: the geometric mean of the two people's (a head and a body of
        # very different scales are not one person), the one known where the other has no limb
        s1, s2 = scale[pid][:, None], scale[pid][None, :]
        pair = pair_scale(s1, s2)
        with np.errstate(divide='ignore', invalid='ignore'):
            closeness = np.linalg.norm(pos[:, None] - pos[None], axis=-1) / path
            ratio = closeness / pair
        # ... and two people whose scales differ more than merge_max_scale_ratio-fold are not
        # one person (a face whose eyes are labelled far apart beside a small body), where both
        # scales are measured on at least min_keypoints keypoints: one limb alone may be
        # foreshortened to a fraction of its length (the scale is a lower bound)
        low, high = np.minimum(s1, s2), np.maximum(s1, s2)
        counted = found.sum(1)[pid] >= self.min_keypoints
        similar = (~(counted[:, None] & counted[None, :]) | (low == 0) |
                   (high <= self.merge_max_scale_ratio * np.where(low > 0, low, 1)))
        ok = ((pid[:, None] < pid[None, :]) & (hops > 0) & (hops <= self.merge_max_hops) &
              (pair > 0) & (ratio <= self.merge_ratio) & similar)
        # two people holding the two ends of a link were not joined by that link's body-part
        # map: they are different people; people sharing a keypoint type never merge
        linked = found.astype(np.int64) @ self._adjacency @ found.T.astype(np.int64) > 0
        linked |= found.astype(np.int64) @ found.T.astype(np.int64) > 0
        # every pair of people that may merge, closest first: the mean distance of their
        # keypoint pairs that fit, per unit of skeleton path (in pixels: a big person near a
        # lone keypoint does not outrank the small one it sits beside; the mean, not the
        # closest pair: a wrist that happens to lie beside another person's knee, four hops
        # away, does not outrank the body whose hip is as close along a shorter path)
        # ... divided by the weaker of the two people's mean keypoint scores: a strong lone
        # keypoint beside a person outranks faint leftover peaks a little closer
        mean = np.where(found, scores[np.arange(K), np.where(found, index, 0)], 0).sum(1) / \
            np.maximum(found.sum(1), 1)
        closeness = closeness / np.maximum(np.minimum(mean[pid][:, None], mean[pid][None]), 1e-6)
        first, second = np.nonzero(ok)
        total, count = np.zeros((P, P)), np.zeros((P, P))
        np.add.at(total, (pid[first], pid[second]), closeness[first, second])
        np.add.at(count, (pid[first], pid[second]), 1)
        best = np.where(count > 0, total / np.maximum(count, 1), np.inf)
        best[linked] = np.inf
        pi, pj = np.nonzero(np.isfinite(best))
        if not len(pi):
            return index
        order = np.argsort(best[pi, pj], kind='stable')
        root = np.arange(P)
        for i, j in zip(pi[order], pj[order]):
            while root[i] != i:
                i = root[i]
            while root[j] != j:
                j = root[j]
            if i != j and not linked[i, j]:
                index[i] = np.where(found[j], index[j], index[i])
                found[i] |= found[j]
                linked[i] |= linked[j]
                linked[:, i] |= linked[:, j]
                root[j] = i
        keep = root == np.arange(P)
        return index[keep]

    def _finish(self, index: np.ndarray, locs: np.ndarray, scores: np.ndarray) -> Decoded:
        """Drop weak fragments, fill missing keypoints, score and sort people (step 5).

        Returns:
            tuple: keypoints (P, K, 2) heatmap coordinates, keypoint scores (P, K) and
            instance scores (P,), best first, at most ``max_instances``.
        """
        K = self.num_keypoints
        found = index >= 0
        safe = np.where(found, index, 0)
        k_grid = np.broadcast_to(np.arange(K), index.shape)
        keypoint_scores = np.where(found, scores[k_grid, safe], 0).astype(np.float32)
        count = found.sum(1)
        mean_score = keypoint_scores.sum(1) / np.maximum(count, 1)
        keep = (count >= self.min_keypoints) | (mean_score >= self.min_fragment_score)
        keep &= (count > 0) & (mean_score >= self.min_mean_score)
        found, safe, keypoint_scores = found[keep], safe[keep], keypoint_scores[keep]
        keypoints = locs[k_grid[keep], safe]  # (P, K, 2)
        mean = (keypoints * found[..., None]).sum(1) / np.maximum(found.sum(1), 1)[:, None]
        keypoints = np.where(found[..., None], keypoints, mean[:, None]).astype(np.float32)
        # mean keypoint score x (1 - exp(-n / 3)), n keypoints: a real person seen by a few
        # strong keypoints (a face and a wrist: 0.74 of its mean) outranks a skeleton of faint
        # leftover peaks, and a fragment of one or two keypoints ranks below a whole person
        count = found.sum(1)
        instance_scores = (keypoint_scores.sum(1) / np.maximum(count, 1) *
                           (1 - np.exp(-count / 3.0)))
        order = np.argsort(-instance_scores, kind='stable')[:self.max_instances]
        return keypoints[order], keypoint_scores[order], instance_scores[order].astype(
            np.float32)
