"""Fixtures of the image-classification tests: small data sets in the original formats (see cls_testdata)."""
from pathlib import Path
from typing import List, Tuple

import cv2
import numpy as np
import pytest

from posezoo.cls import FER2013_CLASSES, LEAPGESTRECOG_CLASSES

from cls_testdata import (
    FER_TRAIN_PER_CLASS,
    LEAP_FRAMES,
    LEAP_SUBJECTS,
    MIN_FACE,
    coco_annotations,
    face_box,
    leap_frame,
    square_crop,
    write_fer2013_csv,
)


@pytest.fixture(scope='session')
def coco_faces(coco_mini: Path) -> List[np.ndarray]:
    """Real faces of coco-mini as FER2013 stores them: uint8 (48, 48) grayscale."""
    faces = []
    for path, ann in coco_annotations(coco_mini):
        cx, cy, side = face_box(ann)
        if side < MIN_FACE:
            continue
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        face = square_crop(gray, cx, cy, side)
        if min(face.shape) >= MIN_FACE // 2:
            faces.append(cv2.resize(face, (48, 48), interpolation=cv2.INTER_AREA))
    assert len(faces) >= 33, f'only {len(faces)} faces in coco-mini'
    return faces


@pytest.fixture(scope='session')
def coco_people(coco_mini: Path) -> List[np.ndarray]:
    """The 10 largest people of coco-mini, grayscale crops of their boxes."""
    anns = sorted(coco_annotations(coco_mini), key=lambda item: -item[1]['area'])
    crops = []
    for path, ann in anns[:10]:
        x, y, w, h = (int(v) for v in ann['bbox'])
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        crops.append(gray[y:y + h, x:x + w])
    return crops


@pytest.fixture(scope='session')
def fer_rows(coco_faces) -> List[Tuple[int, np.ndarray, str]]:
    """Rows of the small FER2013 CSV, each face used once."""
    faces = iter(coco_faces)
    rows = []
    for emotion, count in enumerate(FER_TRAIN_PER_CLASS):
        rows.extend((emotion, next(faces), 'Training') for _ in range(count))
    for usage in ('PublicTest', 'PrivateTest'):
        rows.extend((emotion, next(faces), usage) for emotion in range(len(FER2013_CLASSES)))
    return rows


@pytest.fixture(scope='session')
def fer_csv(tmp_path_factory, fer_rows) -> Path:
    """A FER2013-format ``fer2013.csv`` of 33 real faces (19 Training, 7 PublicTest, 7 PrivateTest)."""
    return write_fer2013_csv(tmp_path_factory.mktemp('fer2013') / 'fer2013.csv', fer_rows)


@pytest.fixture(scope='session')
def leap_root(tmp_path_factory, coco_people) -> Path:
    """A LeapGestRecog-format folder: 3 subjects x 10 gestures x 2 frames (640x240 PNG)."""
    root = tmp_path_factory.mktemp('leap') / 'leapGestRecog'
    for s, subject in enumerate(LEAP_SUBJECTS):
        for g, gesture in enumerate(LEAPGESTRECOG_CLASSES):
            folder = root / subject / f'{g + 1:02d}_{gesture}'
            folder.mkdir(parents=True)
            for k in range(LEAP_FRAMES):
                name = f'frame_{subject}_{g + 1:02d}_{k + 1:04d}.png'
                assert cv2.imwrite(str(folder / name), leap_frame(coco_people[g], s, k))
    return root
