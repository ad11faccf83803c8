"""Video decoding through OpenCV (no decord needed) that never fails silently.

``CheckedOpenCVInit`` opens a video and counts its frames; ``CheckedOpenCVDecode`` decodes the
sampled frames. Unlike MMAction2's ``OpenCVInit``/``OpenCVDecode`` they check that the file opens
and that frames really decode: an unreadable or corrupt video raises an ``IOError`` naming the
file, or, with ``on_error='skip'``, logs a warning and returns ``None`` so that MMEngine's dataset
draws another sample (training pipelines only: MMEngine refuses ``None`` at test time).
"""
import os.path as osp
from typing import Dict, List, Optional

import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

_ON_ERROR = ('raise', 'skip')


class _CheckedVideoTransform(BaseTransform):
    """Shared ``on_error`` handling."""

    def __init__(self, on_error: str = 'raise') -> None:
        if on_error not in _ON_ERROR:
            raise ValueError(f'{type(self).__name__}: on_error must be one of {_ON_ERROR}, '
                             f'got {on_error!r}')
        self.on_error = on_error

    def fail(self, message: str) -> None:
        """Raise ``IOError(message)`` or log it as a warning (``on_error='skip'``)."""
        if self.on_error == 'raise':
            raise IOError(message)
        print_log(f'{message}; skipping this sample', logger='current', level=30)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(on_error={self.on_error!r})'


@TRANSFORMS.register_module()
class CheckedOpenCVInit(_CheckedVideoTransform):
    """Open a video with OpenCV and read its frame count.

    Required keys: ``filename``.
    Added keys: ``total_frames`` (int), ``avg_fps`` (float).

    Args:
        on_error (str): ``'raise'`` (default) or ``'skip'`` (warn and return ``None``).
    """

    def transform(self, results: Dict) -> Optional[Dict]:
        filename = results['filename']
        if not osp.isfile(filename):
            return self.fail(f'video file not found: {filename}')
        cap = cv2.VideoCapture(filename)
        try:
            if not cap.isOpened():
                return self.fail(f'OpenCV cannot open video {filename} (unreadable or corrupt)')
            total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            fps = float(cap.get(cv2.CAP_PROP_FPS))
        finally:
            cap.release()
        if total <= 0:
            return self.fail(f'video {filename} reports {total} frames (corrupt or empty)')
        results['total_frames'] = total
        results['avg_fps'] = fps if fps > 0 else 30.0
        return results


@TRANSFORMS.register_module()
class CheckedOpenCVDecode(_CheckedVideoTransform):
    """Decode the frames at ``frame_inds`` with OpenCV, as RGB uint8 arrays.

    Frames are read sequentially from the smallest to the largest index (one seek). Indices past
    the last decodable frame (container frame counts are often a few frames too high) reuse the
    last decoded frame, with a warning; a video of which no requested frame decodes fails.

    Required keys: ``filename``, ``frame_inds`` (int array).
    Added keys: ``imgs`` (list of ``H x W x 3`` uint8 RGB), ``img_shape``, ``original_shape``.

    Args:
        on_error (str): ``'raise'`` (default) or ``'skip'`` (warn and return ``None``).
    """

    def read_frames(self, filename: str, inds: np.ndarray) -> Dict[int, np.ndarray]:
        """Decode the frames with the given (sorted, unique) indices; stops at the first failure."""
        frames: Dict[int, np.ndarray] = {}
        cap = cv2.VideoCapture(filename)
        try:
            if not cap.isOpened():
                return frames
            first = int(inds[0])
            if first > 0:
                cap.set(cv2.CAP_PROP_POS_FRAMES, first)
            wanted = set(int(i) for i in inds)
            for idx in range(first, int(inds[-1]) + 1):
                if not cap.grab():
                    break
                if idx in wanted:
                    ok, frame = cap.retrieve()
                    if not ok or frame is None:
                        break
                    frames[idx] = frame
        finally:
            cap.release()
        return frames

    def transform(self, results: Dict) -> Optional[Dict]:
        filename = results['filename']
        frame_inds = np.asarray(results['frame_inds']).reshape(-1).astype(np.int64)
        if frame_inds.size == 0:
            return self.fail(f'no frame indices to decode for {filename}')
        unique = np.unique(frame_inds)
        frames = self.read_frames(filename, unique)
        if not frames:
            return self.fail(f'OpenCV decoded none of the requested frames of {filename} '
                             f'(indices {int(unique[0])}..{int(unique[-1])}; corrupt video?)')
        missing = [int(i) for i in unique if int(i) not in frames]
        if missing:
            print_log(f'{filename}: frames {missing[0]}..{missing[-1]} do not decode; '
                      'reusing the last decoded frame', logger='current', level=30)
        imgs: List[np.ndarray] = []
        last = frames[min(frames)]
        for idx in frame_inds:
            last = frames.get(int(idx), last)
            imgs.append(np.ascontiguousarray(last[:, :, ::-1]))
        results['imgs'] = imgs
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results
