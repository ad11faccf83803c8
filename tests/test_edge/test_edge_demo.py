"""demo/edge_pose_demo.py on a real crowded street video with the overfit model (edge runtime)."""
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest


@pytest.mark.slow
def test_edge_demo_writes_skeleton_video(edge_model: dict, repo_root: Path, shared_path,
                                         tmp_path: Path):
    video = shared_path('POSEZOO_STREET_VIDEO', 'data', 'videos', 'street_crowd.mp4')
    out = tmp_path / 'street_pose.mp4'
    proc = subprocess.run(
        [sys.executable, 'demo/edge_pose_demo.py', str(edge_model['int8']), str(video),
         '--out-file', str(out), '--threads', '1'],
        cwd=repo_root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = re.search(r'(\d+) frames, ([\d.]+) people drawn per frame, ([\d.]+) FPS \(image to '
                      r'keypoints\); video saved to (.*)$', proc.stdout.strip())
    assert found, proc.stdout + proc.stderr
    print(proc.stdout.strip())

    source, written = cv2.VideoCapture(str(video)), cv2.VideoCapture(str(out))
    frames = int(source.get(cv2.CAP_PROP_FRAME_COUNT))
    assert int(found[1]) == frames == int(written.get(cv2.CAP_PROP_FRAME_COUNT))
    assert (int(written.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(written.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (
                int(source.get(cv2.CAP_PROP_FRAME_WIDTH)),
                int(source.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    ok_a, first_in = source.read()
    ok_b, first_out = written.read()
    assert ok_a and ok_b
    # the FPS text is drawn into the top-left corner of every frame
    corner = np.abs(first_out[:40, :200].astype(int) - first_in[:40, :200].astype(int))
    assert corner.max() > 100
    assert found[4] == str(out)
