"""Multi-resolution associative-embedding codec for HigherHRNet (Cheng et al., CVPR 2020)."""
from math import inf
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmpose.codecs import AssociativeEmbedding
from mmpose.registry import KEYPOINT_CODECS
from munkres import Munkres
from torch import Tensor

from .input_maps import InputMaps

#: The grouping order of the official HigherHRNet for COCO: head, shoulders, hips, then limbs.
COCO_KEYPOINT_ORDER = [0, 1, 2, 3, 4, 5, 6, 11, 12, 7, 8, 9, 10, 13, 14, 15, 16]


def official_gaussian_heatmaps(heatmap_size: Tuple[int, int], keypoints: np.ndarray,
                               keypoints_visible: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian heatmaps of the official ``HeatmapGenerator``.

    Each visible keypoint at heatmap coordinate (x, y) puts a Gaussian of peak 1 on the integer
    pixel ``(int(x), int(y))`` (truncated towards 0; keypoints whose integer pixel is outside
    the map are skipped), within a window of radius ``3 * sigma + 1``; overlapping Gaussians
    keep their maximum.

    Args:
        heatmap_size (tuple): [W, H].
        keypoints (np.ndarray): (N, K, 2) at the heatmap resolution.
        keypoints_visible (np.ndarray): (N, K).
        sigma (float): Gaussian sigma in heatmap pixels.

    Returns:
        np.ndarray: (K, H, W) float32 heatmaps.
    """
    W, H = heatmap_size
    N, K = keypoints_visible.shape
    heatmaps = np.zeros((K, H, W), dtype=np.float32)
    radius = 3 * sigma + 1
    for n in range(N):
        for k in range(K):
            if keypoints_visible[n, k] <= 0:
                continue
            x, y = int(keypoints[n, k, 0]), int(keypoints[n, k, 1])
            if x < 0 or y < 0 or x >= W or y >= H:
                continue
            x0, x1 = max(0, int(np.round(x - radius))), min(W, int(np.round(x + radius + 1)))
            y0, y1 = max(0, int(np.round(y - radius))), min(H, int(np.round(y + radius + 1)))
            xs = np.arange(x0, x1, dtype=np.float64) - x
            ys = np.arange(y0, y1, dtype=np.float64)[:, None] - y
            gaussian = np.exp(-(xs**2 + ys**2) / (2 * sigma**2))
            np.maximum(heatmaps[k, y0:y1, x0:x1], gaussian, out=heatmaps[k, y0:y1, x0:x1])
    return heatmaps


def _norm(diff: Tensor) -> Tensor:
    """Euclidean norm over the first dimension (the L tag dimensions) of tag differences
    (L, ...), computed in place, in float32 as the official ``refine``."""
    return diff.mul_(diff).sum(dim=0).sqrt_()


def _assign(cost: np.ndarray) -> Dict[int, int]:
    """The assignment of the official grouping: ``munkres.Munkres().compute`` (the package the
    official code imports, 3.0 in the stack; its choice among equal-cost assignments decides which
    person a joint joins, and neither scipy's ``linear_sum_assignment`` nor ``munkres`` 1.1.4
    makes the same choice everywhere).

    When every row has a strictly smallest cost in a column of its own (and there are no more
    rows than columns), that is the unique optimal assignment, which any exact solver returns:
    it is taken without running the solver.

    Args:
        cost (np.ndarray): (J, P) cost of each candidate joint (row) joining each person
            (column), square-padded by the caller when J > P.

    Returns:
        dict: the column of each assigned row.
    """
    rows, cols = cost.shape
    if 0 < rows <= cols:
        best = cost.argmin(axis=1)
        if cols == 1:
            return {0: 0}
        two = np.partition(cost, 1, axis=1)[:, :2]
        if (two[:, 0] < two[:, 1]).all() and len(np.unique(best)) == rows:
            return dict(enumerate(best.tolist()))
    return dict(Munkres().compute(cost))


@KEYPOINT_CODECS.register_module()
class MultiResolutionAssociativeEmbedding(AssociativeEmbedding):
    """Encode keypoints as Gaussian heatmaps at several resolutions plus AE keypoint indices,
    and decode heatmaps + tags (already projected to the input size) as the official
    HigherHRNet ``HeatmapParser.parse(adjust=True, refine=True)``.

    Note:
        - instance number: N, keypoint number: K, resolution (level) number: R
        - input size: [w, h]; heatmap size of level r: [W_r, H_r]; tag dimension: L

    Encoded (the official ``HeatmapGenerator`` / ``JointsGenerator``): a keypoint at input
    coordinate x lands on heatmap coordinate ``x * W_r / w`` and its Gaussian on the integer
    pixel ``int(x * W_r / w)``.
        - heatmaps (List[np.ndarray]): one Gaussian heatmap per level, shape (K, H_r, W_r)
        - keypoint_indices (np.ndarray): (N, R, K, 2); for level r, ``[y * W_r + x, visible]``
          with ``visible`` 0 for a keypoint whose integer pixel is outside the map
        - keypoint_weights (np.ndarray): (N, K), 1 for a visible keypoint inside the image

    Decoding (at the input resolution; the head upsamples and averages its outputs there), all
    dense steps in torch on the device of the heatmaps: heatmap NMS (max pooling), the top-k
    candidates of every keypoint, grouping keypoint type after type in
    ``decode_keypoint_order`` by the official Hungarian algorithm (``munkres``) on the cost
    ``round(tag distance) * 100 - score`` (a candidate whose tag is ``decode_tag_thr`` or more
    from the matched person starts a new person), the official "adjust" (+-0.25 towards the
    higher neighbour, then +0.5), the person score (mean of the K grouped scores, missing
    keypoints counting 0), then the official "refine" (each missing keypoint taken at the
    maximum of ``heatmap - round(tag distance to the person's mean tag)``, +0.5 and +-0.25).

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
        decode_tag_thr (float): maximum tag distance to join a person. Defaults to 1.
        decode_topk (int): candidates per keypoint (the official ``MAX_NUM_PEOPLE``).
            Defaults to 30.
        decode_max_instances (int, optional): persons a new candidate can be matched to (the
            official ``MAX_NUM_PEOPLE``); ``None`` for no limit. Defaults to 30.
        refine_floors (Sequence[float]): positive heatmap levels above which ``refine``
            searches first (a speed setting; the result is that of the full search).
            Defaults to ``(0.1, )`` (a lower floor searched nearly as many pixels as the
            positive ones on the e2e fixture).
    """

    # what PackPoseInputs packs (the heatmap mask comes from BottomupGetHeatmapMask)
    field_mapping_table = dict(heatmaps='heatmaps', heatmap_mask='heatmap_mask')
    label_mapping_table = dict(
        keypoint_weights='keypoint_weights', keypoint_indices='keypoint_indices')
    # keypoints mapped to every resolution by HigherHRNetRandomAffine / HigherHRNetRandomFlip
    auxiliary_encode_keys = {'keypoints_levels'}

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_sizes: Sequence[Tuple[int, int]],
                 sigma: Union[float, Sequence[float]] = 2.0,
                 decode_keypoint_order: Sequence[int] = COCO_KEYPOINT_ORDER,
                 decode_nms_kernel: int = 5,
                 decode_keypoint_thr: float = 0.1,
                 decode_tag_thr: float = 1.0,
                 decode_topk: int = 30,
                 decode_max_instances: Optional[int] = 30,
                 refine_floors: Sequence[float] = (0.1, )) -> None:
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
        if any(floor <= 0 for floor in refine_floors):
            raise ValueError(f'refine_floors must be positive, got {refine_floors}')
        self.refine_floors = sorted(refine_floors, reverse=True)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None,
               keypoints_levels: Optional[Sequence[np.ndarray]] = None) -> dict:
        """Encode keypoints given in the input image space (see the class docstring).

        Args:
            keypoints (np.ndarray): (N, K, 2) coordinates in the input image.
            keypoints_visible (np.ndarray, optional): (N, K) visibility. Defaults to all ones.
            keypoints_levels (Sequence[np.ndarray], optional): (N, K, 2) keypoints at each
                heatmap resolution, when the augmentation mapped them there itself (the
                official flip, ``x -> W_r - 1 - x``, is not a scaling of the input one).
                Defaults to ``keypoints * W_r / w``.

        Returns:
            dict: ``heatmaps`` (list of (K, H_r, W_r)), ``keypoint_indices`` (N, R, K, 2),
            ``keypoint_weights`` (N, K).
        """
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        N, K = keypoints_visible.shape
        heatmaps: List[np.ndarray] = []
        indices = np.zeros((N, len(self.heatmap_sizes), K, 2), dtype=np.int64)
        input_size = np.array(self.input_size, dtype=np.float32)
        if keypoints_levels is not None and len(keypoints_levels) != len(self.heatmap_sizes):
            raise ValueError(f'got keypoints at {len(keypoints_levels)} resolutions for '
                             f'{len(self.heatmap_sizes)} heatmap sizes')
        for r, (size, sigma) in enumerate(zip(self.heatmap_sizes, self.sigmas)):
            if keypoints_levels is None:
                level_keypoints = keypoints * (np.array(size, dtype=np.float32) / input_size)
            else:
                level_keypoints = np.asarray(keypoints_levels[r])[..., :2]
            heatmaps.append(
                official_gaussian_heatmaps(size, level_keypoints, keypoints_visible, sigma))
            # int() truncates towards 0, as the official generators do
            grid = np.trunc(level_keypoints).astype(np.int64)
            inside = ((grid >= 0) & (grid < np.array(size))).all(-1) & (keypoints_visible > 0)
            indices[:, r, :, 0] = np.where(inside, grid[..., 1] * size[0] + grid[..., 0], 0)
            indices[:, r, :, 1] = inside
        W, H = self.input_size
        inside_image = ((keypoints >= 0) & (keypoints < [W, H])).all(-1)
        keypoint_weights = ((keypoints_visible > 0) & inside_image).astype(np.float32)
        return dict(
            heatmaps=heatmaps, keypoint_indices=indices, keypoint_weights=keypoint_weights)

    def batch_decode(self, batch_heatmaps: Tensor, batch_tags: Tensor
                     ) -> Tuple[List[np.ndarray], List[np.ndarray], List[np.ndarray]]:
        """Group and refine keypoints from heatmaps and tags at the input resolution.

        Args:
            batch_heatmaps (Tensor): (B, K, h, w) aggregated heatmaps, h x w = input size.
            batch_tags (Tensor): (B, L*K, h, w) tag maps (L tag dimensions, e.g. 2 with flip:
                the K maps of the image, then the K maps of the flipped image).

        Returns:
            tuple: per image, ``keypoints`` (N, K, 2) in input coordinates, ``keypoint_scores``
            (N, K) and ``instance_scores`` (N,) (mean score of the grouped keypoints).
        """
        batch_keypoints, batch_scores, batch_instance_scores = [], [], []
        for heatmaps, tags in zip(batch_heatmaps, batch_tags):
            keypoints, scores, instance_scores = self.decode_maps(InputMaps(heatmaps, tags))
            batch_keypoints.append(keypoints)
            batch_scores.append(scores)
            batch_instance_scores.append(instance_scores)
        return batch_keypoints, batch_scores, batch_instance_scores

    def decode_maps(self, maps: InputMaps) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Group and refine the keypoints of one image (see :meth:`batch_decode`).

        Args:
            maps (InputMaps): the image's heatmaps and tags at the input resolution, dense or
                projected where the decoder reads them (:class:`ProjectedInputMaps`).

        Returns:
            tuple: ``keypoints`` (N, K, 2) in input coordinates, ``keypoint_scores`` (N, K) and
            ``instance_scores`` (N,).
        """
        K, H, W = maps.shape
        positive = maps.positive()
        types, pixels, values, positive_tags = positive
        # the candidates above the threshold in (type, pixel) order, for the NMS and top-k
        above = (values > self.decode_keypoint_thr).nonzero()[:, 0]
        keys, order = (types[above] * (H * W) + pixels[above]).sort()
        above = above[order]
        vals, inds = self._top_peaks(maps, (types[above], pixels[above]))  # (K, T)
        # the tags of the top-k peaks, looked up among the positive pixels (slots without a
        # peak get 0; the grouping discards them)
        slots = torch.arange(K, device=inds.device)[:, None] * (H * W) + inds
        found = torch.searchsorted(keys, slots).clamp_(max=max(len(keys) - 1, 0))
        topk_tags = (positive_tags[:, above[found]] if len(keys) else
                     positive_tags.new_zeros(len(positive_tags), *inds.shape))  # (L, K, T)
        topk_tags = topk_tags.where(vals[None] > 0, 0.0).permute(1, 2, 0)  # (K, T, L)
        inds = inds.cpu().numpy()
        grouped = self._group(vals.cpu().numpy(), np.stack((inds % W, inds // W), axis=-1),
                              topk_tags.cpu().numpy())  # (N, K, 3 + L)
        return self._adjust_and_refine(grouped, maps, positive)

    def _top_peaks(self, maps: InputMaps, above: Tuple[Tensor, Tensor]
                   ) -> Tuple[Tensor, Tensor]:
        """The official NMS + top-k: the ``decode_topk`` largest local maxima (``kernel x kernel``
        max pooling) of each heatmap, on the pixels above ``decode_keypoint_thr`` only (the
        others are discarded by the grouping anyway; their slots get score 0).

        Args:
            maps (InputMaps): the K heatmaps (read with :meth:`InputMaps.heat_at`).
            above (tuple): the maps and flat pixels (P,) above the threshold, in (map, pixel)
                order.

        Returns:
            tuple: values and flat indices, both (K, T), in decreasing value order.
        """
        K, H, W = maps.shape
        T = self.decode_topk
        rows, pixels = above
        values = maps.heat_at(rows, pixels)
        y, x = pixels // W, pixels % W
        # a local maximum is at least its four neighbours (cheap test first), then its window
        # (clamping repeats border pixels, which the -inf padding of max pooling ignores)
        radius = (self.decode_nms_kernel - 1) // 2
        for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)) if radius else ():
            ny, nx = (y + dy).clamp(0, H - 1), (x + dx).clamp(0, W - 1)
            keep = maps.heat_at(rows, ny * W + nx) <= values
            rows, pixels, values, y, x = rows[keep], pixels[keep], values[keep], y[keep], x[keep]
        offsets = torch.arange(-radius, radius + 1, device=rows.device)
        ny = (y[:, None] + offsets[None]).clamp(0, H - 1)  # (P, k)
        nx = (x[:, None] + offsets[None]).clamp(0, W - 1)
        if len(rows):
            window = maps.heat_at(rows[:, None], (ny[:, :, None] * W + nx[:, None, :]).flatten(1))
            keep = window.max(dim=1).values <= values
            rows, pixels, values = rows[keep], pixels[keep], values[keep]
        # top-k over the whole map, as officially, with the same order among equal peaks as
        # torch.topk over the full peak map (whose non-peak pixels are 0): the peaks are
        # packed, in index order, into a short row that keeps the first T pixels of the map
        # in place (the ones torch.topk's partial sort starts from; a 0 after them never enters
        # it) and is at least 64 T long (the partial sort, as for a full map)
        device = rows.device
        if H * W < 64 * T:  # a small map: the full peak map itself
            slots, length = pixels, H * W
        else:
            tail = pixels >= T
            tail_rows = rows[tail]
            counts = torch.bincount(tail_rows, minlength=K)
            starts = counts.cumsum(0) - counts
            # rows are sorted, so a running index minus the row's start ranks a tail peak
            tail_rank = torch.arange(len(tail_rows), device=device) - starts[tail_rows]
            slots = pixels.clone()
            slots[tail] = T + tail_rank
            length = max(64 * T, T + (int(counts.max()) if K else 0))
        packed = values.new_zeros(K, length)
        packed_inds = torch.arange(length, device=device).repeat(K, 1)
        packed[rows, slots] = values
        packed_inds[rows, slots] = pixels
        vals, order = packed.topk(T, dim=1)
        inds = packed_inds.gather(1, order)
        return vals, inds

    def _group(self, vals: np.ndarray, locs: np.ndarray, tags: np.ndarray) -> np.ndarray:
        """Group the candidates of one image into persons (official ``match_by_tag``).

        Persons are keyed by the first tag value of the candidate that started them, in
        creation order (a new person with the key of an existing one replaces its keypoint and
        its tag list, as officially).

        Args:
            vals (np.ndarray): (K, T) candidate scores.
            locs (np.ndarray): (K, T, 2) candidate (x, y) pixels.
            tags (np.ndarray): (K, T, L) candidate tags.

        Returns:
            np.ndarray: (N, K, 3 + L) float32 rows ``[x, y, score, tag...]`` (zeros for a
            missing keypoint).
        """
        K, _, L = tags.shape
        persons: Dict[float, np.ndarray] = {}
        # tags are averaged in float32, distances computed in float64, as officially
        person_tags: Dict[float, List[np.ndarray]] = {}

        def start_person(k: int, joint: np.ndarray) -> None:
            key = joint[3]
            persons.setdefault(key, np.zeros((K, 3 + L)))[k] = joint
            person_tags[key] = [joint[3:].astype(np.float32)]

        for k in self.decode_keypoint_order:
            keep = vals[k] > self.decode_keypoint_thr
            if not keep.any():
                continue
            joints = np.concatenate(
                (locs[k][keep], vals[k][keep, None], tags[k][keep]), axis=1).astype(np.float64)
            if not persons:
                for joint in joints:
                    start_person(k, joint)
                continue
            keys = list(persons)[:self.decode_max_instances]
            mean_tags = np.stack([np.mean(person_tags[key], axis=0) for key in keys])
            dist = np.linalg.norm(joints[:, None, 3:] - mean_tags[None], axis=2)
            cost = np.round(dist) * 100 - joints[:, 2:3]
            if len(joints) > len(keys):  # the official square cost matrix
                cost = np.concatenate(
                    (cost, np.full((len(joints), len(joints) - len(keys)), 1e10)), axis=1)
            match = _assign(cost)
            for row, joint in enumerate(joints):
                col = match.get(row, len(keys))
                if col < len(keys) and dist[row, col] < self.decode_tag_thr:
                    persons[keys[col]][k] = joint
                    person_tags[keys[col]].append(joint[3:].astype(np.float32))
                else:
                    start_person(k, joint)
        if not persons:
            return np.zeros((0, K, 3 + L), dtype=np.float32)
        return np.stack(list(persons.values())).astype(np.float32)

    @staticmethod
    def _quarter_offsets(maps: InputMaps, k: Tensor, x: Tensor, y: Tensor) -> Tensor:
        """+-0.25 towards the higher horizontal / vertical neighbour (-0.25 on ties).

        Args:
            maps (InputMaps): the K heatmaps.
            k, x, y (Tensor): (M,) long keypoint types and integer pixels.

        Returns:
            Tensor: (M, 2) offsets in x and y.
        """
        _, H, W = maps.shape
        right = maps.heat_at(k, y * W + (x + 1).clamp(max=W - 1))
        left = maps.heat_at(k, y * W + (x - 1).clamp(min=0))
        down = maps.heat_at(k, (y + 1).clamp(max=H - 1) * W + x)
        up = maps.heat_at(k, (y - 1).clamp(min=0) * W + x)
        offsets = torch.stack((right > left, down > up), dim=1).to(right.dtype)
        return offsets * 0.5 - 0.25

    def _refine_search(self, positive: Tuple[Tensor, Tensor, Tensor, Tensor],
                       person_types: Tensor, person_tags: Tensor, maps: InputMaps) -> Tensor:
        """The official refine search: for every person missing a keypoint type, the first
        maximum p* (in flat index order) of ``score = heatmap - round(||tags - person tag||)``
        over the whole map of that type, where only a p* with a positive heatmap value matters
        (the official code fills the keypoint only then).

        The rounded distance is >= 0, so a pixel scores at most its heatmap value: per type,
        the search runs on ever larger sets of bright pixels (heatmap >= each of
        ``refine_floors``, then every positive pixel). A person whose best score reaches the
        floor of the set has found p* (no pixel outside can reach it). A person still
        unresolved after the positive pixels has p* there only if no non-positive pixel scores
        higher (or equal, earlier): the blocks of the map where one could (a non-positive pixel
        scores at most ``-round(distance to the block's tag bounds)``) are read, closest first
        and for all keypoint types at once, until one does. Same result as the official full
        search, on a small part of the map for most persons.

        Args:
            positive (tuple): keypoint types, flat pixels and values (P,) and tags (L, P) of
                the positive heatmap pixels, grouped by type, any pixel order within a type
                (:meth:`InputMaps.positive`).
            person_types (Tensor): (M,) long keypoint type searched for each person.
            person_tags (Tensor): (M, L) mean tag of each person.
            maps (InputMaps): the image's maps (blocks and their tag bounds).

        Returns:
            Tensor: (M,) long flat index of each person's maximum, -1 where the maximum is on a
            pixel whose heatmap value is <= 0 (nothing to fill).
        """
        types, pixels, values, pixel_tags = positive
        K, H, W = maps.shape
        device = person_tags.device

        def first_max(pix: Tensor, val: Tensor, tag: Tensor, people: Tensor
                      ) -> Tuple[Tensor, Tensor]:
            """Best score and its first pixel (M',) of each person over the pixels ``pix``
            (values ``val``, tags ``tag``), float32 as officially."""
            score = val[None] - _norm(tag[:, None] - people.T[:, :, None]).round_()
            best = score.max(dim=1).values
            first = torch.where(score == best[:, None], pix[None], H * W).min(dim=1).values
            return best, first

        best = torch.full((len(person_tags), ), -1, dtype=torch.long, device=device)
        # each person's best score and its first pixel over the positive pixels of its type
        scores = torch.full((len(person_tags), ), -inf, device=device)
        candidates = torch.full_like(best, H * W)
        bounds = torch.searchsorted(types, torch.arange(K + 1, device=device)).tolist()
        for k in person_types.unique().tolist():
            todo = (person_types == k).nonzero()[:, 0]
            span = slice(bounds[k], bounds[k + 1])
            pix, val, tag = pixels[span], values[span], pixel_tags[:, span]
            if not len(pix):
                continue
            for floor in self.refine_floors:
                keep = (val >= floor).nonzero()[:, 0]
                if not len(keep) or not len(todo):
                    continue
                found, first = first_max(pix[keep], val[keep], tag[:, keep], person_tags[todo])
                done = found >= floor
                best[todo[done]] = first[done]
                todo = todo[~done]
            if len(todo):
                scores[todo], candidates[todo] = first_max(pix, val, tag, person_tags[todo])
        done = scores > 0  # no non-positive pixel can reach a positive score
        best[done] = candidates[done]
        # the others have p* on a positive pixel only if no non-positive pixel beats it
        todo = ((scores <= 0) & (scores > -inf)).nonzero()[:, 0]
        if len(todo):
            alive = self._unbeaten(person_types[todo], person_tags[todo], scores[todo],
                                   candidates[todo], maps)
            best[todo[alive]] = candidates[todo[alive]]
        return best

    @staticmethod
    def _unbeaten(person_types: Tensor, person_tags: Tensor, scores: Tensor, candidates: Tensor,
                  maps: InputMaps) -> Tensor:
        """Whether no non-positive pixel of each person's keypoint type beats its best positive
        pixel (a higher score, or the same score at a smaller flat index).

        A non-positive pixel scores at most ``-round(distance from the person's tag to the tag
        bounds of its block)``: only the blocks where that can beat a person are read, the
        closest to a person's tag first (the first one usually beats everybody), for all types
        at once, 1, 4, 16 then 64 blocks per type and round.

        Args:
            person_types (Tensor): (U,) long keypoint type of each person.
            person_tags (Tensor): (U, L) mean tags.
            scores (Tensor): (U,) best scores over the positive pixels.
            candidates (Tensor): (U,) long first pixel of that score.
            maps (InputMaps): the image's maps.

        Returns:
            Tensor: (U,) bool.
        """
        kinds, row = person_types.unique(return_inverse=True)  # types (T,), row of each person
        lower, upper = maps.tag_block_bounds(kinds)  # (L, T, B_y, B_x)
        num_x = lower.shape[3]
        tags = person_tags.T[:, :, None]  # (L, U, 1)
        gap = tags - tags.clamp(lower.flatten(2)[:, row], upper.flatten(2)[:, row])
        distance = _norm(gap)  # (U, B): to the bounds of each block
        can_beat = -distance.round() >= scores[:, None]
        # per type, the blocks that can beat one of its persons, the closest first
        closest = torch.full((len(kinds), distance.shape[1]), inf, device=distance.device)
        closest.scatter_reduce_(0, row[:, None].expand_as(distance),
                                torch.where(can_beat, distance, inf), 'amin')
        order = closest.argsort(dim=1, stable=True)
        readable = closest.gather(1, order).isfinite()  # a prefix of each row
        alive = torch.ones_like(scores, dtype=torch.bool)
        start, count = 0, 1
        while alive.any():
            open_types = torch.zeros_like(readable[:, 0]).index_fill_(0, row[alive], True)
            kind, slot = (readable[:, start:start + count] & open_types[:, None]).nonzero(
                as_tuple=True)
            if not len(kind):
                break
            chosen = order[kind, start + slot]  # (N,) blocks of types kinds[kind]
            heat, tags, index = maps.blocks(kinds[kind], chosen // num_x, chosen % num_x)
            pu, pn = ((row[:, None] == kind[None]) & alive[:, None] &
                      can_beat[:, chosen]).nonzero(as_tuple=True)  # (person, block) pairs
            pair_distance = _norm(tags[:, pn] - person_tags.T[:, pu, None])  # (pairs, Q)
            pair_scores = (heat[pn] - pair_distance.round_()).masked_fill_(heat[pn] > 0, -inf)
            beaten = ((pair_scores > scores[pu, None]) |
                      ((pair_scores == scores[pu, None]) &
                       (index[pn] < candidates[pu, None]))).any(dim=1)
            alive[pu[beaten]] = False
            start, count = start + count, min(4 * count, 64)
        return alive

    def _adjust_and_refine(self, grouped: np.ndarray, maps: InputMaps,
                           positive: Tuple[Tensor, Tensor, Tensor, Tensor]
                           ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The official ``adjust``, person scores and ``refine`` for all persons of an image.

        Args:
            grouped (np.ndarray): (N, K, 3 + L) grouped candidates.
            maps (InputMaps): the image's maps (heatmaps (K, H, W), blocks for refine).
            positive (tuple): keypoint types, flat pixels, values and tags of the positive
                heatmap pixels, grouped by type (:meth:`InputMaps.positive`).

        Returns:
            tuple: keypoints (N, K, 2) (input pixels), keypoint scores (N, K), person
            scores (N,), float32.
        """
        N, K, _ = grouped.shape
        _, H, W = maps.shape
        device = positive[0].device
        keypoints = torch.from_numpy(grouped[..., :2].copy()).to(device)
        scores = torch.from_numpy(grouped[..., 2].copy()).to(device)
        instance_scores = grouped[..., 2].mean(axis=1)
        found = scores > 0
        if found.any():
            n, k = found.nonzero(as_tuple=True)
            x, y = keypoints[n, k].long().unbind(-1)
            keypoints[n, k] += self._quarter_offsets(maps, k, x, y) + 0.5

        missing = ~found
        if N and missing.any():
            # mean tag of each person at its found keypoints, in float32 as officially
            mean_tags = np.stack([grouped[n, grouped[n, :, 2] > 0, 3:].mean(axis=0)
                                  for n in range(N)])
            mean_tags = torch.from_numpy(mean_tags).to(device)  # (N, L)
            n, k = missing.nonzero(as_tuple=True)
            best = self._refine_search(positive, k, mean_tags[n], maps)
            n, k, best = n[best >= 0], k[best >= 0], best[best >= 0]  # positive pixels
            x, y = best % W, best // W
            xy = torch.stack((x, y), dim=1).to(keypoints.dtype) + 0.5
            keypoints[n, k] = xy + self._quarter_offsets(maps, k, x, y)
            scores[n, k] = maps.heat_at(k, best)
        return (keypoints.cpu().numpy().astype(np.float32),
                scores.cpu().numpy().astype(np.float32), instance_scores.astype(np.float32))
