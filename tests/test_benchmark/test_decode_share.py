"""tools/analysis/decode_share.py: BK-Pose's decoder groups the real annotations of the coco-mini
val image with the most people (13), encoded at the network's output size for the test
pipeline's input, back into as many people; the timing line is printed, never asserted."""
import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_decode_share_recovers_every_person(repo_root: Path, coco_mini: Path) -> None:
    proc = subprocess.run(
        [sys.executable, 'tools/analysis/decode_share.py', '--ann-file',
         str(coco_mini / 'annotations' / 'person_keypoints_val2017.json'), '--img-dir',
         str(coco_mini / 'val2017'), '--images', '1', '--repeats', '1'],
        cwd=repo_root, capture_output=True, text=True, check=True)
    print(proc.stdout)
    line = re.search(r'(\d+) people annotated, (\d+) decoded, input (\d+)x(\d+): preprocess '
                     r'([\d.]+) ms, forward ([\d.]+) ms, decode ([\d.]+) ms -> decoding '
                     r'([\d.]+)% of image-to-keypoints', proc.stdout)
    assert line, proc.stdout + proc.stderr
    annotated, decoded = int(line[1]), int(line[2])
    assert annotated == 13 and decoded == annotated
    pre, forward, decode, share = map(float, line.group(5, 6, 7, 8))
    assert abs(share - 100 * decode / (pre + forward + decode)) < 0.5  # printed rounded
