"""GroupCocoMetric on hand-built COCO scenes: the detections-per-image cap and the OKS AP of each
keypoint group."""
import json

import numpy as np
import pytest
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.evaluation.metrics import CocoMetric

from posezoo.pose.bkpose import GroupCocoMetric
from posezoo.pose.bkpose.group_coco_metric import PAPER_KEYPOINT_GROUPS

COCO_META = parse_pose_metainfo(dict(from_file='mmpose::_base_/datasets/coco.py'))


def _person(x0: float, y0: float) -> np.ndarray:
    """17 COCO keypoints (K, 2) of a 100 x 200 px person at (x0, y0)."""
    rng = np.random.default_rng(int(x0 + 7 * y0))
    return np.stack([x0 + rng.uniform(10, 90, 17), y0 + rng.uniform(10, 190, 17)], axis=1)


def _scene(tmp_path, people):
    """A one-image COCO file with ``people`` (a list of (K, 2) arrays, all keypoints visible)."""
    anns = []
    for i, kpts in enumerate(people):
        x0, y0 = kpts.min(0) - 10
        anns.append(dict(id=i + 1, image_id=1, category_id=1, iscrowd=0, num_keypoints=17,
                         area=100.0 * 200.0, bbox=[float(x0), float(y0), 100.0, 200.0],
                         keypoints=np.concatenate([kpts, np.full((17, 1), 2.0)], 1).ravel().tolist()))
    data = dict(images=[dict(id=1, width=4000, height=4000, file_name='a.jpg')],
                categories=[dict(id=1, name='person')], annotations=anns)
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps(data))
    return str(path)


def _evaluate(ann_file, preds, scores, tmp_path, metric_type=GroupCocoMetric, **kwargs):
    metric = metric_type(ann_file=ann_file, score_mode='bbox', nms_mode='none',
                             outfile_prefix=str(tmp_path / 'res'), **kwargs)
    metric.dataset_meta = COCO_META
    # bottom-up samples carry the list of the image's annotation ids
    sample = dict(id=list(range(len(preds))), img_id=1, gt_instances={}, pred_instances=dict(
        keypoints=np.stack(preds), keypoint_scores=np.ones((len(preds), 17)),
        bbox_scores=np.asarray(scores, dtype=float)))
    metric.process([], [sample])
    return metric.compute_metrics(metric.results)


def test_detection_cap(tmp_path):
    # 25 people, all found exactly: 20 per image leaves 5 out (recall 0.8), 100 keeps all
    people = [_person(150.0 * (i % 5), 250.0 * (i // 5)) for i in range(25)]
    ann_file = _scene(tmp_path, people)
    scores = np.linspace(1.0, 0.5, 25)
    capped = _evaluate(ann_file, people, scores, tmp_path)
    full = _evaluate(ann_file, people, scores, tmp_path, max_dets=100)
    print(f"max_dets 20: AP {capped['AP']:.4f} AR {capped['AR']:.4f}; "
          f"100: AP {full['AP']:.4f} AR {full['AR']:.4f}")
    assert capped['AR'] == pytest.approx(0.8) and capped['AP'] < 0.81
    assert full['AR'] == pytest.approx(1.0) and full['AP'] == pytest.approx(1.0)
    # at COCO's cap of 20 the ten figures are MMPose's CocoMetric's
    mmpose = _evaluate(ann_file, people, scores, tmp_path, metric_type=CocoMetric)
    assert mmpose == pytest.approx({k: v for k, v in capped.items() if not k.endswith(' AP') or k == 'AP'})


def test_group_ap_isolates_the_wrong_group(tmp_path):
    people = [_person(0.0, 0.0), _person(300.0, 0.0)]
    ann_file = _scene(tmp_path, people)
    preds = [p.copy() for p in people]
    wrist = COCO_META['keypoint_name2id']['left_wrist'], COCO_META['keypoint_name2id']['right_wrist']
    for p in preds:
        p[list(wrist)] += 60.0  # both wrists 85 px off: OKS of the wrists ~0 at area 20000
    result = _evaluate(ann_file, preds, [0.9, 0.8], tmp_path)
    groups = {k: v for k, v in result.items() if k.endswith(' AP')}
    print({k: round(v, 4) for k, v in groups.items()}, 'AP', round(result['AP'], 4))
    # COCO-17 has no heel or foot index: those groups are left out
    assert set(groups) == {f'{g} AP' for g in PAPER_KEYPOINT_GROUPS if g not in ('heel',
                                                                                   'foot_index')}
    assert groups['wrist AP'] == pytest.approx(0.0)
    for group in ('head', 'shoulder', 'elbow', 'hip', 'knee', 'ankle'):
        assert groups[f'{group} AP'] == pytest.approx(1.0)
    # the whole-body OKS is 15/17 correct keypoints ~0.88: AP over 0.50:0.95 between 0 and 1
    assert 0.5 < result['AP'] < 1.0


def test_unlabelled_group_is_ignored(tmp_path):
    # the second person's wrists are unlabelled: the wrist group evaluates the first one only
    people = [_person(0.0, 0.0), _person(300.0, 0.0)]
    ann_file = _scene(tmp_path, people)
    data = json.loads(open(ann_file).read())
    for i in (COCO_META['keypoint_name2id']['left_wrist'],
              COCO_META['keypoint_name2id']['right_wrist']):
        data['annotations'][1]['keypoints'][3 * i:3 * i + 3] = [0, 0, 0]
    data['annotations'][1]['num_keypoints'] = 15
    open(ann_file, 'w').write(json.dumps(data))
    preds = [p.copy() for p in people]
    preds[1][[9, 10]] += 60.0  # wrong where unlabelled: no effect on the wrist AP
    result = _evaluate(ann_file, preds, [0.9, 0.8], tmp_path, keypoint_groups=dict(
        wrist=['left_wrist', 'right_wrist']))
    assert result['wrist AP'] == pytest.approx(1.0)
    assert [k for k in result if k.endswith(' AP')] == ['wrist AP']


def test_arguments():
    with pytest.raises(ValueError):
        GroupCocoMetric(max_dets=0)
    with pytest.raises(ValueError):
        GroupCocoMetric(iou_type='keypoints_crowd')
