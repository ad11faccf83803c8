"""Oracle: real COCO annotations -> BK-Pose targets -> full decode + grouping -> COCO AP.

Reads ``$POSEZOO_ORACLE_ANN`` when set (any COCO keypoint annotation file; only its ``images``
and ``annotations`` are used), else coco-mini's val2017 annotations.
"""
import json
import os
from pathlib import Path

import numpy as np
from xtcocotools.coco import COCO
from xtcocotools.cocoeval import COCOeval

from posezoo.pose.bkpose import BKPoseHeatmap

SHARED = Path(__file__).resolve().parents[3].parent / 'shared'
DEFAULT_ANN = SHARED / 'data' / 'coco-mini' / 'annotations' / 'person_keypoints_val2017.json'


def test_oracle_ap(capsys):
    ann_file = Path(os.environ.get('POSEZOO_ORACLE_ANN', DEFAULT_ANN))
    with open(ann_file) as f:
        data = json.load(f)
    by_image = {}
    for ann in data['annotations']:
        if ann.get('num_keypoints', 0) > 0 and not ann.get('iscrowd', 0):
            by_image.setdefault(ann['image_id'], []).append(ann)
    results = []
    for image in data['images']:
        anns = by_image.get(image['id'], [])
        # the model's geometry: heatmaps at stride 4 of the image (no resizing)
        heatmap_size = (-(-image['width'] // 4), -(-image['height'] // 4))
        codec = BKPoseHeatmap(input_size=(4 * heatmap_size[0], 4 * heatmap_size[1]),
                              heatmap_size=heatmap_size)
        raw = np.array([a['keypoints'] for a in anns], np.float32).reshape(-1, 17, 3)
        heatmaps = codec.encode(raw[..., :2], raw[..., 2] > 0)['heatmaps']
        keypoints, scores, instance_scores = codec.decode(heatmaps)
        for kpts, kpt_scores, score in zip(keypoints, scores, instance_scores):
            results.append(dict(image_id=image['id'], category_id=1, score=float(score),
                                keypoints=np.concatenate([kpts, kpt_scores[:, None]],
                                                         1).ravel().tolist()))
    coco = COCO(str(ann_file))
    coco_eval = COCOeval(coco, coco.loadRes(results), 'keypoints', use_area=True)
    coco_eval.params.useSegm = None
    coco_eval.evaluate()
    coco_eval.accumulate()
    coco_eval.summarize()
    ap, ap50 = coco_eval.stats[0], coco_eval.stats[1]
    with capsys.disabled():
        print(f'\nBK-Pose oracle on {ann_file.name}: {len(data["images"])} images, '
              f'{sum(map(len, by_image.values()))} people, {len(results)} decoded; '
              f'COCO AP {ap:.4f} (AP50 {ap50:.4f})')
    assert ap >= 0.95
