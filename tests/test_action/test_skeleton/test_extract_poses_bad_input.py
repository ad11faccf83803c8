"""tools/misc/extract_poses.py answers bad input with one message naming each input, before any
work, and no traceback (issue 26)."""
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from shared_data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / 'tools' / 'misc'))
import extract_poses  # noqa: E402

QUICKSTART = 'bkpose_1xb4-quickstart_coco-sample-256x256'


def _empty_video(path: Path) -> Path:
    """An MJPG .avi with no frame: OpenCV opens it and decodes nothing."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 10, (32, 32))
    writer.release()
    assert cv2.VideoCapture(str(path)).isOpened()
    return path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO_ROOT / 'tools/misc/extract_poses.py'), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_every_bad_input_is_named_before_any_work(tmp_path: Path):
    video = _empty_video(tmp_path / 'empty.avi')
    not_video = tmp_path / 'notes.mp4'
    not_video.write_text('not a video')
    proc = _run(str(video), 'missing.mp4', str(not_video), '--out', 'out.pkl',
                '--pose-config', QUICKSTART, cwd=tmp_path)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr, proc.stderr
    assert 'bad input, nothing extracted' in proc.stderr, proc.stderr
    assert 'input 1 (missing.mp4): not found' in proc.stderr, proc.stderr
    assert f'input 2 ({not_video}): OpenCV cannot open the video' in proc.stderr, proc.stderr
    assert not (tmp_path / 'out.pkl').exists()


def test_a_video_without_decodable_frames_is_named(tmp_path: Path):
    """It said 'no frames', naming no file (main() prints it without a traceback, as above)."""
    video = _empty_video(tmp_path / 'empty.avi')
    with pytest.raises(ValueError, match=rf'^{video}: the video opens but no frame decodes'):
        list(extract_poses.read_frames(str(video)))
