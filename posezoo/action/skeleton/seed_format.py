"""The text format of seed 004: one file per action, MediaPipe Pose landmarks per frame.

A file (e.g. ``HANDSWING.txt``) is a CSV table as written by ``pandas.DataFrame.to_csv``::

    ,0,1,2,...,131
    0,0.6255581974983215,0.5930126905441284,-1.1593189239501953,0.9998264908790588,...
    1,0.6050856113433838,...

The header row holds the column indices (after an empty index cell); every other row is the frame
index followed by 33 landmarks x (x, y, z, visibility) = 132 values, landmark-major.
"""
import math
from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np

NUM_LANDMARKS = 33
VALUES_PER_LANDMARK = 4  # x, y, z, visibility


class SeedFormatError(ValueError):
    """A seed text file that does not follow the format; the message names file and line."""


def read_seed_file(path: Union[str, Path],
                   num_landmarks: int = NUM_LANDMARKS) -> Tuple[np.ndarray, np.ndarray]:
    """Read a seed-format skeleton text file.

    Args:
        path (str | Path): The text file.
        num_landmarks (int): Landmarks per frame. Default: 33 (MediaPipe Pose).

    Returns:
        tuple[np.ndarray, np.ndarray]: The frame indices, shape (T,) int64, and the landmarks,
        shape (T, num_landmarks, 4) float32 (x, y, z, visibility).

    Raises:
        SeedFormatError: On a malformed header or row, naming the file and the (1-based) line.
    """
    path = Path(path)
    num_values = num_landmarks * VALUES_PER_LANDMARK
    frames, rows = [], []
    with open(path, encoding='utf-8') as f:
        lines = [(i, line.strip()) for i, line in enumerate(f, start=1)]
    lines = [(i, line) for i, line in lines if line]
    if not lines:
        raise SeedFormatError(f'{path}: empty file, expected a header row of column indices')
    header_no, header = lines[0]
    cells = [c.strip() for c in header.split(',')]
    if cells and cells[0] == '':
        cells = cells[1:]
    if cells != [str(i) for i in range(num_values)]:
        raise SeedFormatError(
            f'{path}:{header_no}: expected a header row of the column indices 0..{num_values - 1} '
            f'({num_landmarks} landmarks x {VALUES_PER_LANDMARK}), got {header[:60]!r}...')
    for line_no, line in lines[1:]:
        cells = line.split(',')
        if len(cells) != num_values + 1:
            raise SeedFormatError(
                f'{path}:{line_no}: expected {num_values + 1} comma-separated values (frame index + '
                f'{num_landmarks} x {VALUES_PER_LANDMARK}), got {len(cells)}')
        try:
            frame = int(cells[0])
        except ValueError:
            raise SeedFormatError(
                f'{path}:{line_no}: the frame index {cells[0]!r} is not an integer') from None
        try:
            values = [float(c) for c in cells[1:]]
        except ValueError as e:
            raise SeedFormatError(f'{path}:{line_no}: non-numeric value ({e})') from None
        if not all(math.isfinite(v) for v in values):
            raise SeedFormatError(f'{path}:{line_no}: non-finite value (nan or inf)')
        frames.append(frame)
        rows.append(values)
    if not rows:
        raise SeedFormatError(f'{path}: no frame rows after the header (line {header_no})')
    landmarks = np.asarray(rows, dtype=np.float32).reshape(-1, num_landmarks, VALUES_PER_LANDMARK)
    return np.asarray(frames, dtype=np.int64), landmarks


def write_seed_file(path: Union[str, Path],
                    landmarks: np.ndarray,
                    frame_indices: Optional[np.ndarray] = None) -> None:
    """Write landmarks in the seed's text format.

    Args:
        path (str | Path): The text file to write.
        landmarks (np.ndarray): Landmarks, shape (T, V, 4) (x, y, z, visibility).
        frame_indices (np.ndarray, optional): Frame index of every row, shape (T,).
            Default: ``0..T-1``.
    """
    landmarks = np.asarray(landmarks, dtype=np.float32)
    if landmarks.ndim != 3 or landmarks.shape[2] != VALUES_PER_LANDMARK:
        raise ValueError(f'landmarks must have shape (T, V, 4), got {landmarks.shape}')
    num_frames, num_values = landmarks.shape[0], landmarks.shape[1] * VALUES_PER_LANDMARK
    if frame_indices is None:
        frame_indices = np.arange(num_frames)
    if len(frame_indices) != num_frames:
        raise ValueError(f'{len(frame_indices)} frame indices for {num_frames} frames')
    flat = landmarks.reshape(num_frames, num_values)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(',' + ','.join(str(i) for i in range(num_values)) + '\n')
        for frame, row in zip(frame_indices, flat):
            f.write(f'{int(frame)},' + ','.join(repr(float(v)) for v in row) + '\n')
