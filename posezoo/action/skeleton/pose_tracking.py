"""Multi-person pose tracking for skeleton extraction: Hungarian matching, track birth and death.

Frame by frame (:class:`PoseTracker`, streaming) the detected poses are matched to the live
tracks by an optimal one-to-one assignment (``scipy.optimize.linear_sum_assignment``) on a
similarity: the IoU of the keypoint boxes (``torchvision.ops.box_iou``) or the OKS of the poses
(MMPose's ``oks_iou``: the mean of the two boxes' areas as the scale, keypoints visible in both).
Pairs below ``match_thr`` are not matched. An unmatched detection gives birth to a track; a track
is confirmed once it has ``min_hits`` detections (unconfirmed tracks that stop are dropped); a
track dies after ``max_lost`` frames without a match.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torchvision.ops import box_iou as torch_box_iou


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
    """IoU of every box in ``a`` (K, 4) with every box in ``b`` (L, 4), ``(x1, y1, x2, y2)``:
    shape (K, L) (``torchvision.ops.box_iou``)."""
    return torch_box_iou(torch.as_tensor(a, dtype=torch.float32),
                         torch.as_tensor(b, dtype=torch.float32)).numpy()


def pose_oks(a: np.ndarray, a_scores: np.ndarray, b: np.ndarray, b_scores: np.ndarray,
             score_thr: float = 0.0, sigmas: Optional[np.ndarray] = None) -> np.ndarray:
    """Object keypoint similarity of every pose in ``a`` with every pose in ``b`` (MMPose's
    ``oks_iou``: scale = mean area of the two keypoint boxes, keypoints above ``score_thr`` in
    both poses; 0 when they share none).

    Args:
        a (np.ndarray): Poses, shape (K, V, 2), with scores ``a_scores`` (K, V).
        b (np.ndarray): Poses, shape (L, V, 2), with scores ``b_scores`` (L, V).
        score_thr (float): Keypoint score threshold.
        sigmas (np.ndarray, optional): Per-keypoint OKS sigmas (V,); MMPose's COCO sigmas when
            None (then V must be 17).

    Returns:
        np.ndarray: OKS, shape (K, L).
    """
    from mmpose.evaluation.functional.nms import oks_iou
    num_joints = a.shape[1]
    if sigmas is None and num_joints != 17:
        raise ValueError(f'pose_oks: {num_joints} keypoints per pose: give their OKS sigmas '
                         '(the COCO sigmas are for 17)')
    area_a = np.prod(np.diff(pose_bboxes(a, a_scores, score_thr).reshape(-1, 2, 2), axis=1),
                     axis=-1).reshape(-1)
    area_b = np.prod(np.diff(pose_bboxes(b, b_scores, score_thr).reshape(-1, 2, 2), axis=1),
                     axis=-1).reshape(-1)
    flat_b = np.concatenate([b, b_scores[..., None]], -1).reshape(len(b), -1)
    out = np.zeros((len(a), len(b)), dtype=np.float32)
    for i in range(len(a)):
        flat_a = np.concatenate([a[i], a_scores[i][:, None]], -1).reshape(-1)
        out[i] = oks_iou(flat_a, flat_b, area_a[i], area_b, sigmas=sigmas, vis_thr=score_thr)
    return out


@dataclass(eq=False)
class PoseTracker:
    """Streaming pose tracker: call :meth:`update` once per frame, then :meth:`tracks`.

    Args:
        metric (str): ``'iou'`` (keypoint boxes) or ``'oks'``. Default: ``'iou'``.
        match_thr (float): Minimum similarity of a match. Default: 0.3.
        max_lost (int): Frames a track may go unmatched before it dies. Default: 10.
        min_hits (int): Detections a track needs to be kept (birth); shorter tracks are
            dropped. Default: 1 (every detection starts a kept track).
        score_thr (float): Keypoint score threshold for boxes and OKS. Default: 0.
        sigmas (np.ndarray, optional): OKS sigmas for layouts other than COCO-17.
    """

    metric: str = 'iou'
    match_thr: float = 0.3
    max_lost: int = 10
    min_hits: int = 1
    score_thr: float = 0.0
    sigmas: Optional[np.ndarray] = None
    # state: the index of the next frame, every track so far, the id of the next track
    frame: int = field(default=0, init=False)
    _tracks: List[dict] = field(default_factory=list, init=False, repr=False)
    _next_id: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.metric not in ('iou', 'oks'):
            raise ValueError(f"metric must be 'iou' or 'oks', got {self.metric!r}")
        if self.min_hits < 1:
            raise ValueError(f'min_hits must be >= 1, got {self.min_hits}')

    def similarity(self, kpts: np.ndarray, scores: np.ndarray, last: np.ndarray,
                   last_scores: np.ndarray) -> np.ndarray:
        """Similarity (K, L) of K detections with the last poses of L tracks."""
        if self.metric == 'iou':
            return box_iou(pose_bboxes(kpts, scores, self.score_thr),
                           pose_bboxes(last, last_scores, self.score_thr))
        return pose_oks(kpts, scores, last, last_scores, self.score_thr, self.sigmas)

    def live_tracks(self) -> List[dict]:
        """Tracks seen within the last ``max_lost`` frames (the candidates for matching)."""
        return [tr for tr in self._tracks if self.frame - tr['frames'][-1] - 1 <= self.max_lost]

    def update(self, kpts: np.ndarray, scores: np.ndarray) -> List[int]:
        """Add one frame's detections.

        Args:
            kpts (np.ndarray): Keypoints (K, V, 2); K may be 0.
            scores (np.ndarray): Scores (K, V).

        Returns:
            list[int]: The track id of every detection, in order.
        """
        kpts = np.asarray(kpts, dtype=np.float32).reshape(-1, *np.shape(kpts)[-2:])
        scores = np.asarray(scores, dtype=np.float32).reshape(kpts.shape[:2])
        live = self.live_tracks()
        assigned: Dict[int, dict] = {}
        if live and len(kpts):
            last = np.stack([tr['keypoints'][-1] for tr in live])
            last_scores = np.stack([tr['scores'][-1] for tr in live])
            sim = self.similarity(kpts, scores, last, last_scores)
            rows, cols = linear_sum_assignment(sim, maximize=True)
            for i, j in zip(rows, cols):
                if sim[i, j] >= self.match_thr:
                    assigned[i] = live[j]
        ids = []
        for i in range(len(kpts)):
            track = assigned.get(i)
            if track is None:  # birth
                track = dict(id=self._next_id, frames=[], keypoints=[], scores=[])
                self._next_id += 1
                self._tracks.append(track)
            track['frames'].append(self.frame)
            track['keypoints'].append(kpts[i])
            track['scores'].append(scores[i])
            ids.append(track['id'])
        self.frame += 1
        return ids

    def confirmed(self, track: dict) -> bool:
        """Whether a track has at least ``min_hits`` detections."""
        return len(track['frames']) >= self.min_hits

    def tracks(self) -> List[dict]:
        """Kept tracks (``min_hits`` or more detections), each ``dict(id, frames=list[int],
        keypoints=list[(V, 2)], scores=list[(V,)])`` in frame order."""
        return [tr for tr in self._tracks if self.confirmed(tr)]


def track_poses(frames: Sequence[Tuple[np.ndarray, np.ndarray]],
                metric: str = 'iou',
                match_thr: float = 0.3,
                max_lost: int = 10,
                score_thr: float = 0.0,
                min_hits: int = 1,
                sigmas: Optional[np.ndarray] = None) -> List[dict]:
    """Link per-frame poses into person tracks with a :class:`PoseTracker`.

    Args:
        frames (sequence[tuple]): Per frame, keypoints (K, V, 2) and scores (K, V); K may vary.
        metric, match_thr, max_lost, score_thr, min_hits, sigmas: see :class:`PoseTracker`.

    Returns:
        list[dict]: Tracks, each ``dict(id, frames=list[int], keypoints=list[(V, 2)],
        scores=list[(V,)])`` in frame order.
    """
    tracker = PoseTracker(metric, match_thr, max_lost, min_hits, score_thr, sigmas)
    for kpts, scores in frames:
        tracker.update(kpts, scores)
    return tracker.tracks()


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
