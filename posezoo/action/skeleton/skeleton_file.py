"""Skeleton sequence files -> MMAction2 ``PoseDataset`` annotation dicts."""
import pickle
from pathlib import Path
from typing import Union

import numpy as np

from .seed_format import read_seed_file


def seed_to_annotation(landmarks: np.ndarray, frame_dir: str = '', label: int = -1) -> dict:
    """Build a ``PoseDataset`` annotation from seed-format landmarks (one person).

    Args:
        landmarks (np.ndarray): Landmarks, shape (T, V, 4) (x, y, z, visibility); x and y are
            normalised to the image size, so ``img_shape`` is (1, 1).
        frame_dir (str): Identifier of the sequence. Default: ''.
        label (int): Action label, -1 if unknown. Default: -1.

    Returns:
        dict: ``keypoint`` (1, T, V, 3) float32 (x, y, z), ``keypoint_score`` (1, T, V) float32
        (visibility), ``total_frames``, ``img_shape``, ``original_shape``, ``label``,
        ``frame_dir``, ``start_index``, ``modality``.
    """
    landmarks = np.asarray(landmarks, dtype=np.float32)
    return dict(
        frame_dir=frame_dir,
        label=label,
        img_shape=(1, 1),
        original_shape=(1, 1),
        total_frames=landmarks.shape[0],
        start_index=0,
        modality='Pose',
        keypoint=np.ascontiguousarray(landmarks[None, ..., :3]),
        keypoint_score=np.ascontiguousarray(landmarks[None, ..., 3]))


def _check_annotation(anno: dict, path: Path) -> dict:
    for key in ('keypoint', 'img_shape'):
        if key not in anno:
            raise KeyError(f'{path}: the skeleton annotation has no {key!r} key')
    keypoint = np.asarray(anno['keypoint'], dtype=np.float32)
    if keypoint.ndim != 4:
        raise ValueError(f'{path}: keypoint must have shape (M, T, V, C), got {keypoint.shape}')
    anno = dict(anno, keypoint=keypoint)
    if 'keypoint_score' in anno:
        score = np.asarray(anno['keypoint_score'], dtype=np.float32)
        if score.shape != keypoint.shape[:3]:
            raise ValueError(f'{path}: keypoint_score has shape {score.shape}, expected '
                             f'{keypoint.shape[:3]} (M, T, V)')
        anno['keypoint_score'] = score
    anno.setdefault('total_frames', keypoint.shape[1])
    anno.setdefault('original_shape', anno['img_shape'])
    anno.setdefault('frame_dir', path.stem)
    anno.setdefault('label', -1)
    anno.setdefault('start_index', 0)
    anno.setdefault('modality', 'Pose')
    return anno


def load_skeleton_file(path: Union[str, Path]) -> dict:
    """Load one skeleton sequence as an MMAction2 ``PoseDataset`` annotation dict.

    Args:
        path (str | Path): A ``.txt`` file in the seed's format (one person, MediaPipe-33), or a
            ``.pkl`` holding one annotation: a dict with a ``keypoint`` key, a list with one
            such dict, or a ``PoseDataset`` file (``dict(split=..., annotations=[...])``) with one
            annotation.

    Returns:
        dict: The annotation, ready for a skeleton test pipeline: ``keypoint`` (M, T, V, C)
        float32, ``keypoint_score`` (M, T, V) float32 if present, ``total_frames``,
        ``img_shape``, ``original_shape``, ``frame_dir``, ``label`` (-1 if absent),
        ``start_index`` and ``modality='Pose'``.

    Raises:
        ValueError: Unsupported suffix, several annotations, or wrong array shapes.
        KeyError: A required key is missing.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == '.txt':
        _, landmarks = read_seed_file(path)
        return seed_to_annotation(landmarks, frame_dir=path.stem)
    if suffix != '.pkl':
        raise ValueError(f'{path}: unsupported skeleton file, expected .txt (seed format) or .pkl')
    with open(path, 'rb') as f:
        data = pickle.load(f)
    if isinstance(data, dict) and 'annotations' in data:
        data = data['annotations']
    if isinstance(data, (list, tuple)):
        if len(data) != 1:
            raise ValueError(f'{path}: expected one skeleton annotation, found {len(data)}')
        data = data[0]
    if not isinstance(data, dict):
        raise ValueError(f'{path}: expected a skeleton annotation dict, got {type(data).__name__}')
    return _check_annotation(data, path)
