"""Oracle: real COCO annotations -> BK-Pose targets -> full decode + grouping -> COCO AP.

* ``test_oracle_ap``: ``$POSEZOO_ORACLE_ANN`` (any COCO keypoint annotation file; only its
  ``images`` and ``annotations`` are used), else coco-mini's val2017 annotations.
* ``test_classroom_oracle_ap``: classroom-density scenes, coco-mini train2017 images tiled 3x3, each once
  (20-50 labelled people each, ``tools/analysis/classroom_scenes.py``).
* ``test_noisy_oracle_ap``: the targets of ``$POSEZOO_ORACLE_ANN`` degraded like a network's
  outputs (the helper's seeded noise model: per-keypoint amplitudes 0.5-1, limb maps weakened
  to 0.3-0.9, ghost and random spurious peaks, blur, additive noise). Keypoints are not moved,
  so the AP lost is the grouping's (and the NMS's, where a spurious peak beats a weak real one).
  Measured on coco-mini val: AP 0.874 with the test's seed 0, 0.845-0.874 over seeds 0-3
  (clean oracle: 0.961) before the scale-aware fragment merging, 0.879 with it (seed 0),
  0.884 / 0.862 / 0.849 / 0.864 over seeds 0-3 with the limb-length prior of the second
  assembly pass and the mean merge ranking; the threshold 0.83 sits below that spread (the test's seed is fixed,
  so it is deterministic) and catches a grouping that loses people or keeps spurious ones on
  imperfect maps.

COCO AP is computed with 100 detections per image (COCO's summary keeps 20, which alone caps
a classroom scene). Each test prints ``COCO AP <value>``.

Issue 13's goals: AP >= 0.97 on coco-mini val is reached (0.976); >= 0.95 on the classroom
scenes is not quite (measured 0.9495; 0.918 before the limb-length prior relative to the
person's scale, the merge scale limit and the mean merge ranking). A grouping that knows which
person each candidate peak belongs to scores 0.996 on the same candidates, so what is lost is
assignment: on 3 of the 79 people, a forearm joined to the fragment of another person beside
it, two lone wrists joined to the neighbour, the shoulders of a tiny person within one or two
heatmap pixels of another person's. The classroom guard holds what the grouping reaches today
(0.945 under the deterministic 0.9495); its goal stands as a strict expected failure, which
fails as soon as the grouping reaches it so that the guard is raised to the goal.
"""
import json
from pathlib import Path

import pytest


@pytest.fixture(scope='module')
def oracle_ann(shared_path) -> Path:
    return shared_path('POSEZOO_ORACLE_ANN', 'data', 'coco-mini', 'annotations',
                       'person_keypoints_val2017.json')


def _summary(name: str, data: dict, results: list, decoded: dict, ap: float, ap50: float) -> str:
    people = sum(1 for a in data['annotations']
                 if a.get('num_keypoints', 0) > 0 and not a.get('iscrowd', 0))
    return (f'BK-Pose {name}: {len(data["images"])} images, {people} people, {len(results)} '
            f'decoded (at most {max(decoded.values(), default=0)} in one image); '
            f'COCO AP {ap:.4f} (AP50 {ap50:.4f}, maxDets 100)')


def _report(capsys, line: str) -> None:
    with capsys.disabled():
        print('\n' + line)


GOAL = pytest.mark.xfail(strict=True, reason='issue 13 goal, not reached by the grouping yet')


@pytest.fixture(scope='module')
def oracle(classroom, oracle_ann: Path) -> tuple:
    """(COCO AP, summary line) of the oracle on ``$POSEZOO_ORACLE_ANN``."""
    data = json.loads(oracle_ann.read_text())
    results, decoded = classroom.oracle_predictions(data)
    ap, ap50 = classroom.keypoint_ap(data, results)
    return ap, _summary(f'oracle on {oracle_ann.name}', data, results, decoded, ap, ap50)


@pytest.fixture(scope='module')
def classroom_oracle(classroom, coco_mini: Path) -> tuple:
    """(COCO AP, summary line) of the oracle on coco-mini train tiled 3x3 (20-50 people each)."""
    train = json.loads((coco_mini / 'annotations' / 'person_keypoints_train2017.json')
                       .read_text())
    scenes = classroom.tile_scenes(train)  # every image with people once: 3 scenes
    people = classroom.labelled_people(scenes)
    counts = [len(people[image['id']]) for image in scenes['images']]
    assert min(counts) >= 20 and max(counts) <= 50
    results, decoded = classroom.oracle_predictions(scenes)
    ap, ap50 = classroom.keypoint_ap(scenes, results)
    line = _summary('classroom oracle (coco-mini train 3x3)', scenes, results, decoded, ap, ap50)
    return ap, line + '; labelled -> decoded people per scene: ' + ', '.join(
        f'{n} -> {decoded[image["id"]]}' for n, image in zip(counts, scenes['images']))


def test_oracle_ap(oracle: tuple, capsys):
    _report(capsys, oracle[1])
    assert oracle[0] >= 0.97


def test_classroom_oracle_ap(classroom_oracle: tuple, capsys):
    _report(capsys, classroom_oracle[1])
    assert classroom_oracle[0] >= 0.945


@GOAL
def test_classroom_oracle_ap_goal(classroom_oracle: tuple):
    assert classroom_oracle[0] >= 0.95


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_noisy_oracle_ap(classroom, oracle_ann: Path, capsys):
    data = json.loads(oracle_ann.read_text())
    results, decoded = classroom.oracle_predictions(data, noisy=True, seed=0)
    ap, ap50 = classroom.keypoint_ap(data, results)
    _report(capsys, _summary(f'noisy oracle on {oracle_ann.name}', data, results, decoded, ap, ap50))
    assert ap >= 0.83
