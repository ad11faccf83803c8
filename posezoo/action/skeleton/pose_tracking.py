"""Simple multi-person pose tracking (greedy IoU / OKS matching) for skeleton extraction."""
from typing import List, Sequence, Tuple

import numpy as np

# COCO-17 keypoint sigmas (used by OKS when the layout has 17 keypoints).
COCO_SIGMAS = np.array([
    .026, .025, .025, .035, .035, .079, .079, .072, .072, .062, .062, .107, .107, .087, .087, .089,
    .089
])


def pose_bboxes(keypoints: np.ndarray, scores: np.ndarray, score_thr: float = 0.0,
                min_size: float = 4.0) -> np.ndarray:
    """Boxes around the keypoints above ``score_thr`` (all keypoints if none is).

    Args:
        keypoints (np.ndarray): Shape (K, V, 2).
        scores (np.ndarray): Shape (K, V).
        score_thr (float): Keypoints with a score above this define the box.
        min_size (float): Boxes are widened / heightened about their centre to at least this
            size, so that a pose with one visible keypoint still has an area. Default: 4.

    Returns:
        np.ndarray: Boxes (x1, y1, x2, y2), shape (K, 4).
    """
    boxes = np.zeros((len(keypoints), 4), dtype=np.float32)
    for i, (kpt, score) in enumerate(zip(keypoints, scores)):
        pts = kpt[score > score_thr] if (score > score_thr).any() else kpt
        lo, hi = pts.min(0), pts.max(0)
        pad = np.maximum(min_size - (hi - lo), 0) / 2
        boxes[i] = (*(lo - pad), *(hi + pad))
    return boxes


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (K, 4) with every box in ``b`` (L, 4): shape (K, L)."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(-1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(-1)
    return inter / np.maximum(area_a[:, None] + area_b[None] - inter, 1e-6)


def pose_oks(a: np.ndarray, a_scores: np.ndarray, b: np.ndarray, b_boxes: np.ndarray,
             score_thr: float = 0.0) -> np.ndarray:
    """Object keypoint similarity of every pose in ``a`` with every pose in ``b``.

    Args:
        a (np.ndarray): Poses, shape (K, V, 2); their keypoints above ``score_thr`` count.
        a_scores (np.ndarray): Scores of ``a``, shape (K, V).
        b (np.ndarray): Reference poses, shape (L, V, 2).
        b_boxes (np.ndarray): Boxes of ``b`` (their areas are the OKS scales), shape (L, 4).
        score_thr (float): Keypoint score threshold.

    Returns:
        np.ndarray: OKS, shape (K, L).
    """
    num_joints = a.shape[1]
    sigmas = COCO_SIGMAS if num_joints == len(COCO_SIGMAS) else np.full(num_joints, 0.07)
    area = np.clip(b_boxes[:, 2:] - b_boxes[:, :2], 1, None).prod(-1)  # (L,)
    d2 = ((a[:, None] - b[None]) ** 2).sum(-1)  # (K, L, V)
    e = d2 / (2 * area[None, :, None] * (2 * sigmas[None, None]) ** 2)
    vis = (a_scores > score_thr).astype(np.float64)[:, None]  # (K, 1, V)
    return (np.exp(-e) * vis).sum(-1) / np.maximum(vis.sum(-1), 1)


def track_poses(frames: Sequence[Tuple[np.ndarray, np.ndarray]],
                metric: str = 'iou',
                match_thr: float = 0.3,
                max_lost: int = 10,
                score_thr: float = 0.0) -> List[dict]:
    """Link per-frame poses into person tracks by greedy IoU or OKS matching.

    In every frame, detections are matched to the tracks seen in the last ``max_lost`` frames in
    order of decreasing similarity (IoU of keypoint boxes, or OKS against the track's last pose);
    a pair is matched if its similarity is at least ``match_thr``; unmatched detections start
    new tracks.

    Args:
        frames (sequence[tuple]): Per frame, keypoints (K, V, 2) and scores (K, V); K may vary.
        metric (str): ``'iou'`` or ``'oks'``. Default: ``'iou'``.
        match_thr (float): Minimum similarity of a match. Default: 0.3.
        max_lost (int): Frames a track may go unmatched before it ends. Default: 10.
        score_thr (float): Keypoint score threshold for boxes and OKS. Default: 0.

    Returns:
        list[dict]: Tracks, each ``dict(frames=list[int], keypoints=list[(V, 2)],
        scores=list[(V,)])`` in frame order.
    """
    if metric not in ('iou', 'oks'):
        raise ValueError(f"metric must be 'iou' or 'oks', got {metric!r}")
    tracks: List[dict] = []
    for t, (kpts, scores) in enumerate(frames):
        kpts = np.asarray(kpts, dtype=np.float32).reshape(-1, *np.shape(kpts)[-2:])
        scores = np.asarray(scores, dtype=np.float32).reshape(kpts.shape[:2])
        active = [tr for tr in tracks if t - tr['frames'][-1] - 1 <= max_lost]
        assigned = {}
        if active and len(kpts):
            last = np.stack([tr['keypoints'][-1] for tr in active])
            last_scores = np.stack([tr['scores'][-1] for tr in active])
            last_boxes = pose_bboxes(last, last_scores, score_thr)
            if metric == 'iou':
                sim = box_iou(pose_bboxes(kpts, scores, score_thr), last_boxes)
            else:
                sim = pose_oks(kpts, scores, last, last_boxes, score_thr)
            used_tracks = set()
            for flat in np.argsort(-sim, axis=None, kind='stable'):
                i, j = np.unravel_index(flat, sim.shape)
                if sim[i, j] < match_thr:
                    break
                if i in assigned or j in used_tracks:
                    continue
                assigned[i] = active[j]
                used_tracks.add(j)
        for i in range(len(kpts)):
            track = assigned.get(i)
            if track is None:
                track = dict(frames=[], keypoints=[], scores=[])
                tracks.append(track)
            track['frames'].append(t)
            track['keypoints'].append(kpts[i])
            track['scores'].append(scores[i])
    return tracks


def tracks_to_arrays(tracks: Sequence[dict], num_frames: int, num_joints: int,
                     max_persons: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Pack tracks into ``PoseDataset`` arrays, the strongest tracks first.

    Tracks are ranked by the sum over their frames of the mean keypoint score; absent frames are
    zeros. Without any track, one all-zero person is returned.

    Args:
        tracks (sequence[dict]): Output of :func:`track_poses`.
        num_frames (int): Number of frames T.
        num_joints (int): Keypoints per person V.
        max_persons (int): Keep at most this many tracks (0: all). Default: 0.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``keypoint`` (M, T, V, 2) and ``keypoint_score``
        (M, T, V), float32.
    """
    ranked = sorted(tracks, key=lambda tr: -float(sum(s.mean() for s in tr['scores'])))
    if max_persons > 0:
        ranked = ranked[:max_persons]
    num_persons = max(len(ranked), 1)
    keypoint = np.zeros((num_persons, num_frames, num_joints, 2), dtype=np.float32)
    keypoint_score = np.zeros((num_persons, num_frames, num_joints), dtype=np.float32)
    for m, track in enumerate(ranked):
        keypoint[m, track['frames']] = np.stack(track['keypoints'])
        keypoint_score[m, track['frames']] = np.stack(track['scores'])
    return keypoint, keypoint_score
