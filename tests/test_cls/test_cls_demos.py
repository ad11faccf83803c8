"""The expression demo on a video of real COCO faces, and the gesture demo on LeapGestRecog-format images."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import cv2
import mmcv
import numpy as np
import pytest

from posezoo.cls import FER2013_CLASSES, LEAPGESTRECOG_CLASSES

REPO = Path(__file__).resolve().parents[2]
FER_CONFIG = REPO / 'configs/image_classification/fer2013/resnet18_1xb128-200e_fer2013-48x48.py'
LEAP_CONFIG = REPO / 'configs/image_classification/leapgestrecog/resnet18_1xb64-30e_leapgestrecog-224x84.py'
# coco-mini photographs where the Haar cascade finds an annotated (keypoint) face in the 640x480 frame
FACE_IMAGES = ('train2017/000000551757.jpg', 'val2017/000000229358.jpg', 'val2017/000000192699.jpg',
               'val2017/000000350679.jpg')
FRAME_SIZE = (640, 480)
FRAMES_PER_IMAGE = 2


def load_demo(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / 'demo' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def green_fraction(region: np.ndarray) -> float:
    """Fraction of the BGR pixels of ``region`` that are the demo's drawing green (0, 255, 0)."""
    b, g, r = (region[..., c].astype(int) for c in range(3))
    return float(np.mean((g > 150) & (b < 120) & (r < 120)))


def read_video(path: Path) -> list:
    """Every frame of a video file (BGR), by mmcv's VideoReader."""
    return list(mmcv.VideoReader(str(path)))


@pytest.fixture(scope='module')
def face_video(tmp_path_factory, coco_mini) -> Path:
    """An mp4 of real coco-mini photographs with faces, 2 frames per photograph."""
    path = tmp_path_factory.mktemp('video') / 'faces.mp4'
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 5.0, FRAME_SIZE)
    for name in FACE_IMAGES:
        frame = cv2.resize(cv2.imread(str(coco_mini / name)), FRAME_SIZE, interpolation=cv2.INTER_AREA)
        for _ in range(FRAMES_PER_IMAGE):
            writer.write(frame)
    writer.release()
    return path


def test_expression_demo_headless_writes_annotated_video(tmp_path, face_video, monkeypatch):
    demo = load_demo('expression_demo')
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    assert not demo.has_display()
    out = tmp_path / 'annotated.mp4'
    results = demo.main([str(FER_CONFIG), '--input', str(face_video), '--out', str(out)])

    frames_in, frames_out = read_video(face_video), read_video(out)
    n_frames = len(FACE_IMAGES) * FRAMES_PER_IMAGE
    assert len(results) == len(frames_in) == len(frames_out) == n_frames
    faces = sum(len(r.boxes) for r in results)
    with_faces = sum(len(r.boxes) > 0 for r in results)
    print(f'expression demo: {faces} faces in {with_faces}/{n_frames} frames')
    assert with_faces >= 2 * FRAMES_PER_IMAGE  # faces found in at least two of the photographs
    for result, before, after in zip(results, frames_in, frames_out):
        assert len(result.labels) == len(result.scores) == len(result.boxes)
        assert all(label in FER2013_CLASSES for label in result.labels)
        assert all(0.0 < score <= 1.0 for score in result.scores)
        # the FPS label: white box at the top-left corner
        assert np.mean(after[2:12, 2:40].min(axis=2) > 180) > 0.5
        for x, y, w, h in result.boxes:
            # the green box edge (2 px) over the face, and the green label box above it
            assert green_fraction(after[y + 2:y + h - 2, max(x - 1, 0):x + 2]) > 0.5
            if y >= 14:  # else the label is drawn inside the box
                assert green_fraction(after[y - 12:y - 2, x + 2:x + 40]) > 0.3
            assert green_fraction(before[y + 2:y + h - 2, max(x - 1, 0):x + 2]) < 0.3


@pytest.mark.slow  # the demo in a subprocess
def test_expression_demo_cli(tmp_path, face_video):
    out = tmp_path / 'cli.mp4'
    env = {k: v for k, v in os.environ.items() if k not in ('DISPLAY', 'WAYLAND_DISPLAY')}
    proc = subprocess.run([sys.executable, 'demo/expression_demo.py', str(FER_CONFIG), '--input', str(face_video),
                           '--out', str(out), '--max-frames', '3'],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1].startswith('3 frames, ')
    assert len(read_video(out)) == 3


def test_expression_demo_bad_source(tmp_path):
    demo = load_demo('expression_demo')
    with pytest.raises(FileNotFoundError, match='cannot open the video source'):
        demo.main([str(FER_CONFIG), '--input', str(tmp_path / 'missing.mp4'), '--no-show'])


def test_gesture_demo_draws_labels(tmp_path, leap_root, capsys):
    demo = load_demo('gesture_demo')
    folder = leap_root / '02' / '03_fist'
    results = demo.main([str(LEAP_CONFIG), str(folder), str(leap_root / '02' / '09_c' / 'frame_02_09_0001.png'),
                         '--out-dir', str(tmp_path / 'plain')])
    images = sorted(folder.glob('*.png')) + [leap_root / '02' / '09_c' / 'frame_02_09_0001.png']
    assert [r.path for r in results] == [str(p) for p in images]
    printed = capsys.readouterr().out.strip().splitlines()
    for result, line, image in zip(results, printed, images):
        assert result.label in LEAPGESTRECOG_CLASSES and 0.0 < result.score <= 1.0
        assert line == f'{image}: {result.label} {result.score:.3f}'
        before = cv2.imread(str(image))
        after = cv2.imread(str(tmp_path / 'plain' / image.name))
        assert after.shape == before.shape
        diff = np.abs(after.astype(np.int16) - before.astype(np.int16)).max(axis=2)
        assert diff[:15, :40].mean() > 40 and diff[40:].max() == 0  # label drawn, the rest untouched

    box = [200, 40, 240, 160]
    [boxed] = demo.main([str(LEAP_CONFIG), str(images[0]), '--bbox', *map(str, box),
                         '--out-dir', str(tmp_path / 'box')])
    after = cv2.imread(str(tmp_path / 'box' / images[0].name))
    assert (after[60:190, 200:202] == (0, 255, 0)).all()  # the box's left edge
    assert boxed.label in LEAPGESTRECOG_CLASSES


def test_gesture_demo_unreadable_image(tmp_path):
    demo = load_demo('gesture_demo')
    broken = tmp_path / 'frame_00_01_0001.png'
    broken.write_bytes(b'not an image')
    with pytest.raises(OSError, match=f'cannot read image {broken}'):
        demo.main([str(LEAP_CONFIG), str(broken)])
