"""The skeleton and expression demos take a webcam index (``--camera 0``) as well as a file."""
import importlib.util

import numpy as np
import pytest

from shared_data import REPO_ROOT

LSTM_CFG = 'configs/skeleton/lstm/lstm_8xb16-20e_seed-mediapipe33-30f.py'


def _demo(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / 'demo' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Camera:
    """A webcam that never ends: grey 64 x 48 frames."""

    opened = []

    def __init__(self, source) -> None:
        self.opened.append(source)

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return True

    def get(self, prop) -> float:
        return 0.0  # webcams often report no FPS

    def read(self):
        return True, np.full((48, 64, 3), 128, np.uint8)

    def release(self) -> None:
        pass


def test_skeleton_demo_arguments():
    demo = _demo('skeleton_action_demo')
    args = demo.parse_args(['--camera', '0', LSTM_CFG])
    assert args.camera == 0 and args.video is None and args.config == LSTM_CFG
    assert demo.source_name(args) == 'camera 0'
    args = demo.parse_args(['video.mp4', LSTM_CFG])
    assert args.video == 'video.mp4' and args.camera is None and args.config == LSTM_CFG
    for argv in ([LSTM_CFG], ['video.mp4', LSTM_CFG, '--camera', '0']):
        with pytest.raises(SystemExit):
            demo.parse_args(argv)


def test_skeleton_demo_reads_the_camera(monkeypatch, tmp_path, capsys):
    demo = _demo('skeleton_action_demo')
    _Camera.opened = []
    monkeypatch.setattr(demo.cv2, 'VideoCapture', _Camera)
    empty = (np.zeros((0, 33, 4)), np.zeros((0, 33)), np.zeros((0, 33, 2)))
    monkeypatch.setattr(demo, 'PoseSource', lambda args: _NoPeople(empty))
    out = tmp_path / 'vis.mp4'
    args = demo.parse_args(['--camera', '0', LSTM_CFG, '--max-frames', '5', '--out-file', str(out)])
    assert demo.run(args) == []
    assert _Camera.opened == [0]  # the index, not a file name '0'
    assert 'camera 0: 5 frames (0 with people)' in capsys.readouterr().out
    assert out.stat().st_size > 0


class _NoPeople:
    links, img_shape = [], (48, 64)

    def __init__(self, empty) -> None:
        self.empty = empty

    def __call__(self, frame):
        return self.empty


def test_expression_demo_camera(monkeypatch):
    demo = _demo('expression_demo')
    args = demo.parse_args(['cfg.py', '--camera', '1'])
    assert args.input == '1'
    assert demo.parse_args(['cfg.py', '--input', 'video.mp4']).input == 'video.mp4'
    _Camera.opened = []
    monkeypatch.setattr(demo.cv2, 'VideoCapture', _Camera)
    demo.open_capture(args.input)
    assert _Camera.opened == [1]
