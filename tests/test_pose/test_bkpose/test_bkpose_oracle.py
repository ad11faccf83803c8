"""Oracle: real COCO annotations -> BK-Pose targets -> full decode + grouping -> COCO AP.

* ``test_oracle_ap``: every set of ``$POSEZOO_ORACLE_ANN`` (COCO keypoint annotation files,
  ``:``-separated, each ``path`` or ``path@A`` / ``path@B`` for the half of its images with an
  even / odd id; only ``images`` and ``annotations`` are used), else coco-mini's val2017 and
  the held-back half B of ``coco-val-people`` (its people and its classroom mosaics: no
  grouping rule was chosen on them), each with its threshold (:data:`DEFAULT_SETS`).
* ``test_classroom_oracle_ap``: classroom-density scenes, coco-mini train2017 images tiled 3x3, each once
  (20-50 labelled people each, ``tools/analysis/classroom_scenes.py``).
* ``test_noisy_oracle_ap``: the targets of the same sets degraded like a network's
  outputs (the helper's seeded noise model: per-keypoint amplitudes 0.5-1, limb maps weakened
  to 0.3-0.9, ghost and random spurious peaks, blur, additive noise). Keypoints are not moved,
  so the AP lost is the grouping's (and the NMS's, where a spurious peak beats a weak real one).
  Measured on coco-mini val: AP 0.874 with the test's seed 0, 0.845-0.874 over seeds 0-3
  (clean oracle: 0.961) before the scale-aware fragment merging, 0.879 with it (seed 0),
  0.884 / 0.862 / 0.849 / 0.864 over seeds 0-3 with the limb-length prior of the second
  assembly pass and the mean merge ranking, 0.878 (seed 0) with the limb score of the mean and
  the minimum of the samples; the threshold 0.83 sits below that spread (the test's seed is
  fixed, so it is deterministic) and catches a grouping that loses people or keeps spurious ones on
  imperfect maps.

COCO AP is computed with 100 detections per image (COCO's summary keeps 20, which alone caps
a classroom scene). Each test prints ``COCO AP <value>``.

Issue 13's goals: AP >= 0.97 on coco-mini val (0.976) and >= 0.95 on the classroom scenes
(0.960). The scenes count every real person once: coco-mini train2017 labels one person twice
(annotations 494068 and 2022546 of image 000000227000, OKS 0.65 over five keypoints), which no
bottom-up decoder can return twice, so ``tile_scenes`` drops the duplicate label
(``duplicate_labels``; with it the same scenes give 0.9495). A grouping that knows which
person each candidate peak belongs to scores 1.0 on the scenes' candidates; what the grouping
still loses (2 of 78 people at OKS 0.5, 4 at 0.8) are people labelled with a few keypoints
(lone wrists, a pair of hips, a face) joined to a neighbour, where the geometry alone fits
either person.
"""
import json
import os
from pathlib import Path

import numpy as np
import pytest

from shared_data import SHARED, require_data

NEW_PEOPLE = SHARED / 'data' / 'coco-val-people'
#: The default annotation sets (``path`` or ``path@B``: the held-back half, odd image ids) and the
#: clean / noisy oracle thresholds of each. coco-mini val keeps issue 13's 0.97 (measured
#: 0.976); the held-back halves of coco-val-people, on which no rule was chosen, sit below their
#: measured figures (README table): people 0.936 -> 0.93, mosaics 0.930 -> 0.925 (a 0.005
#: margin: the oracle is deterministic); noisy 0.878 / 0.875 / 0.860 -> 0.83 (the seed spread
#: on coco-mini val is 0.035).
DEFAULT_SETS = (
    (SHARED / 'data' / 'coco-mini' / 'annotations' / 'person_keypoints_val2017.json', '', 0.97,
     0.83),
    (NEW_PEOPLE / 'person_keypoints_val2017_people.json', '@B', 0.93, 0.83),
    (NEW_PEOPLE / 'classroom_mosaics.json', '@B', 0.925, 0.83))
#: The thresholds of a file named in ``$POSEZOO_ORACLE_ANN``: below the worst held-back figure.
OTHER_THRESHOLDS = (0.92, 0.83)


def _oracle_sets() -> list:
    """``pytest.param(spec, clean threshold, noisy threshold)`` of every set: the ``:``-separated
    ``$POSEZOO_ORACLE_ANN`` (each ``path`` or ``path@A`` / ``path@B``), else :data:`DEFAULT_SETS`
    (the two coco-val-people halves marked slow: 20-30 s each)."""
    value = os.environ.get('POSEZOO_ORACLE_ANN')
    if value:
        return [pytest.param(spec, *OTHER_THRESHOLDS, id=Path(spec).name)
                for spec in value.split(':') if spec]
    return [pytest.param(f'{path}{half}', clean, noisy, id=path.name + half,
                         marks=[pytest.mark.slow] if half else [])
            for path, half, clean, noisy in DEFAULT_SETS]


ORACLE_SETS = _oracle_sets()


def _load(classroom, spec: str) -> dict:
    path, _, half = spec.partition('@')
    require_data(Path(path), 'BK-Pose oracle annotations')
    return classroom.load_annotations(spec)


def _summary(name: str, data: dict, results: list, decoded: dict, ap: float, ap50: float) -> str:
    people = sum(1 for a in data['annotations']
                 if a.get('num_keypoints', 0) > 0 and not a.get('iscrowd', 0))
    return (f'BK-Pose {name}: {len(data["images"])} images, {people} people, {len(results)} '
            f'decoded (at most {max(decoded.values(), default=0)} in one image); '
            f'COCO AP {ap:.4f} (AP50 {ap50:.4f}, maxDets 100)')


def _report(capsys, line: str) -> None:
    with capsys.disabled():
        print('\n' + line)


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


@pytest.mark.parametrize('spec, threshold, _noisy', ORACLE_SETS)
def test_oracle_ap(classroom, spec: str, threshold: float, _noisy: float, capsys):
    data = _load(classroom, spec)
    results, decoded = classroom.oracle_predictions(data)
    ap, ap50 = classroom.keypoint_ap(data, results)
    _report(capsys, _summary(f'oracle on {Path(spec).name}', data, results, decoded, ap, ap50))
    assert ap >= threshold


def test_classroom_oracle_ap(classroom_oracle: tuple, capsys):
    _report(capsys, classroom_oracle[1])
    assert classroom_oracle[0] >= 0.95


def test_classroom_scenes_count_every_person_once(classroom, coco_mini: Path):
    """coco-mini train2017's one duplicate label (the same person labelled twice in one image)
    is found, the label with fewer keypoints is the one dropped, and the scenes hold no other."""
    train = json.loads((coco_mini / 'annotations' / 'person_keypoints_train2017.json')
                       .read_text())
    labels = {a['id']: a for a in train['annotations']}
    assert classroom.duplicate_labels(train) == [2022546]
    assert labels[2022546]['num_keypoints'] < labels[494068]['num_keypoints']
    scenes = classroom.tile_scenes(train)
    assert classroom.duplicate_labels(scenes) == []
    tiled = {t['file_name'] for image in scenes['images'] for t in image['tiles']}
    tiled_ids = {i['id'] for i in train['images'] if i['file_name'] in tiled}
    people = sum(len(p) for p in classroom.labelled_people(scenes).values())
    assert people == sum(len(p) for i, p in classroom.labelled_people(train).items()
                         if i in tiled_ids) - 1 == 78


def test_duplicate_labels_keep_neighbours(classroom):
    """A second label of one person (2 px jitter, fewer keypoints) is the duplicate; the same
    person moved by 0.4 of its size is another person, and a label sharing fewer than three
    keypoint types is not compared."""
    rng = np.random.default_rng(0)
    person = np.zeros((17, 3))
    person[:, :2] = rng.uniform(100, 200, (17, 2))
    person[:, 2] = 2

    def label(ann_id: int, kpts: np.ndarray, image_id: int = 1) -> dict:
        return dict(id=ann_id, image_id=image_id, iscrowd=0, area=100.0 ** 2,
                    num_keypoints=int((kpts[:, 2] > 0).sum()), keypoints=kpts.ravel().tolist())

    again = person.copy()
    again[:, :2] += rng.normal(0, 2, (17, 2))
    again[5:, 2] = 0  # the second label has fewer keypoints: it is the duplicate
    beside = person.copy()
    beside[:, 0] += 40
    two = again.copy()
    two[2:, 2] = 0
    data = dict(images=[dict(id=1), dict(id=2), dict(id=3)],
                annotations=[label(1, person), label(2, again), label(3, person, 2),
                             label(4, beside, 2), label(5, person, 3), label(6, two, 3)])
    assert classroom.duplicate_labels(data) == [2]


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
@pytest.mark.parametrize('spec, _clean, threshold', ORACLE_SETS)
def test_noisy_oracle_ap(classroom, spec: str, _clean: float, threshold: float, capsys):
    data = _load(classroom, spec)
    results, decoded = classroom.oracle_predictions(data, noisy=True, seed=0)
    ap, ap50 = classroom.keypoint_ap(data, results)
    _report(capsys, _summary(f'noisy oracle on {Path(spec).name}', data, results, decoded, ap,
                             ap50))
    assert ap >= threshold
