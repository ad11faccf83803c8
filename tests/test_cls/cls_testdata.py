"""Small FER2013 / LeapGestRecog data sets in their exact original formats, built from real COCO images.

* Faces: square crops around the annotated face keypoints (nose, eyes, ears) of coco-mini
  people, grayscale, resized to 48x48, written as a ``fer2013.csv`` (``emotion,pixels,Usage``).
* Gestures: grayscale person crops of coco-mini resized to 640x240 PNGs in the
  ``<subject>/<nn_gesture>/frame_<subject>_<nn>_<kkkk>.png`` layout. Gesture ``g`` is always
  person crop ``g``; subjects and frames differ by a shift and a brightness change, so a model
  can learn the classes and be tested on an unseen subject.
"""
import csv
import itertools
import json
from pathlib import Path
from typing import Dict, Iterator, Sequence, Tuple

import cv2
import numpy as np

FACE_KEYPOINTS = 5  # COCO: nose, left eye, right eye, left ear, right ear
MIN_FACE = 24


def coco_annotations(coco_mini: Path) -> Iterator[Tuple[Path, dict]]:
    """(image path, person annotation) for every person of coco-mini."""
    for split in ('train2017', 'val2017'):
        data = json.loads((coco_mini / 'annotations' / f'person_keypoints_{split}.json').read_text())
        files = {img['id']: coco_mini / split / img['file_name'] for img in data['images']}
        for ann in data['annotations']:
            yield files[ann['image_id']], ann


def face_box(ann: dict) -> Tuple[float, float, float]:
    """Centre and side of a square around the face keypoints; side 0 when not a clear face."""
    kpts = np.array(ann['keypoints'], dtype=np.float64).reshape(-1, 3)[:FACE_KEYPOINTS]
    if not (kpts[:3, 2] == 2).all():  # nose and both eyes visible
        return 0.0, 0.0, 0.0
    pts = kpts[kpts[:, 2] > 0, :2]
    side = 1.6 * max(np.linalg.norm(p - q) for p, q in itertools.combinations(pts, 2))
    cx, cy = pts.mean(axis=0)
    return cx, cy, side


def square_crop(img: np.ndarray, cx: float, cy: float, side: float) -> np.ndarray:
    """The square of side ``side`` centred on (cx, cy), clipped to the image."""
    half = side / 2
    x0, y0 = int(max(cx - half, 0)), int(max(cy - half, 0))
    x1, y1 = int(min(cx + half, img.shape[1])), int(min(cy + half, img.shape[0]))
    return img[y0:y1, x0:x1]


def write_fer2013_csv(path: Path, rows: Sequence[Tuple[int, np.ndarray, str]]) -> Path:
    """Write ``(emotion, uint8 (48, 48) face, Usage)`` rows in the original Kaggle format."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        writer.writerow(['emotion', 'pixels', 'Usage'])
        for emotion, face, usage in rows:
            writer.writerow([emotion, ' '.join(str(v) for v in face.reshape(-1)), usage])
    return path


# Training: 3 faces for each class but "disgust" (1 face), PublicTest / PrivateTest: 1 per class.
FER_TRAIN_PER_CLASS = [3, 1, 3, 3, 3, 3, 3]


def leap_frame(person: np.ndarray, subject: int, frame: int) -> np.ndarray:
    """A 640x240 uint8 frame of a person crop, shifted and brightened per subject and frame."""
    img = cv2.resize(person, (640, 240), interpolation=cv2.INTER_AREA).astype(np.float32)
    shift = np.float32([[1, 0, 8 * subject - 4 * frame], [0, 1, 4 * frame - 3 * subject]])
    img = cv2.warpAffine(img, shift, (640, 240), borderMode=cv2.BORDER_REFLECT)
    return np.clip(img * (0.85 + 0.1 * subject) + 5 * frame, 0, 255).astype(np.uint8)


LEAP_SUBJECTS = ('00', '01', '02')
LEAP_FRAMES = 2


def leap_labels(root: Path, subjects: Sequence[str]) -> Dict[str, int]:
    """Expected label of every frame of ``subjects``, from the folder names."""
    return {
        str(path): int(path.parent.name[:2]) - 1
        for subject in subjects for path in sorted((root / subject).glob('*/frame_*.png'))
    }
