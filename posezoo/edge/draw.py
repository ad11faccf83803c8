"""Skeleton drawing with OpenCV (for the edge demo)."""
from typing import Sequence, Tuple

import cv2
import numpy as np


def draw_poses(image: np.ndarray, keypoints: np.ndarray, keypoint_scores: np.ndarray,
               skeleton_links: Sequence[Tuple[int, int]], kpt_thr: float = 0.3,
               radius: int = 3, thickness: int = 2) -> int:
    """Draw the people of one image in place: links whose two keypoints score above
    ``kpt_thr`` and those keypoints, one colour per person.

    Args:
        image: (H, W, 3) BGR uint8, drawn on.
        keypoints: (P, K, 2) image pixels.
        keypoint_scores: (P, K).
        skeleton_links: the (a, b) keypoint pairs to join.

    Returns:
        int: how many people had at least one keypoint above ``kpt_thr``.
    """
    drawn = 0
    for person, (points, scores) in enumerate(zip(keypoints, keypoint_scores)):
        shown = scores > kpt_thr
        if not shown.any():
            continue
        drawn += 1
        hue = (person * 47) % 180
        colour = cv2.cvtColor(np.uint8([[[hue, 220, 255]]]), cv2.COLOR_HSV2BGR)[0, 0].tolist()
        for a, b in skeleton_links:
            if shown[a] and shown[b]:
                cv2.line(image, tuple(int(round(v)) for v in points[a]),
                         tuple(int(round(v)) for v in points[b]), colour, thickness, cv2.LINE_AA)
        for point in points[shown]:
            cv2.circle(image, tuple(int(round(v)) for v in point), radius, colour, -1,
                       cv2.LINE_AA)
    return drawn
