"""Oracle: encode real COCO annotations with a config's codec, decode them back through the full
inference path (the config's test resize, aggregation of both resolutions, grouping, refinement,
rescoring, mapping back to the image) without a network, and evaluate with COCO keypoint AP.

Env ``POSEZOO_ORACLE_CONFIG`` selects the config whose codec, test resize and decoding limits are
used (default: the W32-512 config; the crowded-scene config raises the limits); env
``POSEZOO_ORACLE_ANN`` overrides the annotation file (default: coco-mini val, all people).

The AP counts up to 100 detections per image (``ORACLE_MAX_DETS``), not COCO's default 20 for
keypoints: 20 would cap crowded images whatever the decoder does.

No flip test: the mirrored oracle outputs of a flipped input are the flip of these outputs, so
flip test would average every heatmap with itself and duplicate every tag, changing nothing but
the cost (flip test is checked in ``test_higherhrnet_head.py`` and the official e2e test)."""
import contextlib
import io
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import List

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.models import BottomupPoseEstimator
from mmpose.registry import MODELS, TRANSFORMS
from mmpose.structures import PoseDataSample
from mmpose.utils import register_all_modules
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

import posezoo.pose  # noqa: F401  (registers the HigherHRNet modules)
from posezoo.pose.higherhrnet import HigherHRNetHead

DEFAULT_CONFIG = ('configs/body_2d_keypoint/higherhrnet/coco/'
                  'higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py')
TAG_SPACING = 3.0
ORACLE_MAX_DETS = 100


def _ideal_tags(keypoints: np.ndarray, visible: np.ndarray, size: tuple) -> np.ndarray:
    """(N, K, 2) keypoints at one resolution -> (K, H, W) tags: the tag 3n of the nearest
    person n having that keypoint (what a perfect AE network would predict)."""
    W, H = size
    N, K = visible.shape
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    tags = np.zeros((K, H, W), np.float32)
    for k in range(K):
        people = np.nonzero(visible[:, k] > 0)[0]
        if len(people) == 0:
            continue
        d = [(xs - keypoints[n, k, 0])**2 + (ys - keypoints[n, k, 1])**2 for n in people]
        tags[k] = TAG_SPACING * people[np.argmin(np.stack(d), axis=0)]
    return tags


def _oracle_outputs(head: HigherHRNetHead, resize, image: dict, anns: list, meta: dict):
    """Target 'network outputs' (stage 0: heatmaps + tags at 1/4, stage 1: heatmaps at 1/2)
    for one image, and its data sample (metainfo as the config's test resize)."""
    h, w = image['height'], image['width']
    results = resize(dict(img=np.zeros((h, w, 3), np.uint8), ori_shape=(h, w),
                          img_shape=(h, w)))
    input_w, input_h = results['input_size']
    center, scale = results['input_center'], results['input_scale']
    num_keypoints = len(meta['flip_indices'])
    kpts = np.array([a['keypoints'] for a in anns], np.float32).reshape(
        len(anns), num_keypoints, 3)
    keypoints = (kpts[..., :2] - center + 0.5 * scale) / scale * [input_w, input_h]
    visible = (kpts[..., 2] > 0).astype(np.float32)

    strides = [4, 2]
    codec = head.decoder.__class__(
        input_size=(input_w, input_h),
        heatmap_sizes=[(input_w // s, input_h // s) for s in strides],
        sigma=head.decoder.sigmas)
    encoded = codec.encode(keypoints, visible)
    tags = _ideal_tags(keypoints / strides[0], visible, codec.heatmap_sizes[0])
    outputs = [
        torch.from_numpy(np.concatenate([encoded['heatmaps'][0], tags]))[None],
        torch.from_numpy(encoded['heatmaps'][1])[None],
    ]
    sample = PoseDataSample(metainfo=dict(
        meta, id=[a['id'] for a in anns], img_id=image['id'], ori_shape=(h, w),
        img_shape=results['img_shape'], input_size=results['input_size'],
        input_center=center, input_scale=scale))
    sample.gt_instances = InstanceData()
    return outputs, sample


def coco_keypoint_ap(ann_file: Path, results: List[dict], max_dets: int) -> float:
    """COCO keypoint AP (OKS 0.50:0.95, all areas) counting up to ``max_dets`` detections per
    image (pycocotools' ``summarize`` for keypoints is fixed at 20)."""
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(ann_file))
        evaluator = COCOeval(coco, coco.loadRes(results), 'keypoints')
        evaluator.params.maxDets = [max_dets]
        evaluator.evaluate()
        evaluator.accumulate()
    area = evaluator.params.areaRngLbl.index('all')
    precision = evaluator.eval['precision'][:, :, 0, area, 0]  # (T, R)
    valid = precision > -1
    return float(precision[valid].mean()) if valid.any() else 0.0


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_oracle_coco_ap(coco_mini: Path, repo_root: Path) -> None:
    register_all_modules()
    ann_file = Path(os.environ.get(
        'POSEZOO_ORACLE_ANN', coco_mini / 'annotations' / 'person_keypoints_val2017.json'))
    config = Path(os.environ.get('POSEZOO_ORACLE_CONFIG', repo_root / DEFAULT_CONFIG))
    if not config.exists():
        raise FileNotFoundError(f'POSEZOO_ORACLE_CONFIG: {config} not found')
    cfg = Config.fromfile(str(config))
    resize_cfg = next(t for t in cfg.test_dataloader.dataset.pipeline
                      if 'Resize' in t['type'])
    resize = TRANSFORMS.build(resize_cfg)

    coco = json.loads(ann_file.read_text())
    anns_per_image = defaultdict(list)
    for ann in coco['annotations']:
        if ann['category_id'] == 1 and not ann.get('iscrowd', 0) and ann['num_keypoints'] > 0:
            anns_per_image[ann['image_id']].append(ann)
    meta = parse_pose_metainfo(dict(from_file='configs/_base_/datasets/coco.py'))

    head = MODELS.build(cfg.model.head)
    head.forward = lambda outputs: outputs  # the "network" returns the oracle outputs
    test_cfg = dict(cfg.model.get('test_cfg', {}), flip_test=False)

    results, num_people = [], 0
    for image in coco['images']:
        anns = anns_per_image.get(image['id'], [])
        outputs, sample = _oracle_outputs(head, resize, image, anns,
                                          dict(flip_indices=meta['flip_indices']))
        preds = head.predict(outputs, [sample], test_cfg=test_cfg)
        pred = BottomupPoseEstimator.add_pred_to_datasample(None, preds, None,
                                                            [sample])[0].pred_instances
        num_people += len(pred)
        if not anns:
            assert len(pred) == 0, 'an image without people gave people'
        for keypoints, scores, score in zip(pred.keypoints, pred.keypoint_scores,
                                            pred.bbox_scores):
            results.append(dict(
                image_id=image['id'], category_id=1, score=float(score),
                keypoints=np.concatenate((keypoints, scores[:, None]), 1).ravel().tolist()))
    ap = coco_keypoint_ap(ann_file, results, ORACLE_MAX_DETS) if results else 0.0
    print(f'oracle {config.name} on {ann_file.name}: {len(coco["images"])} images, '
          f'{sum(map(len, anns_per_image.values()))} people annotated, {num_people} decoded, '
          f'COCO AP {ap:.4f} (up to {ORACLE_MAX_DETS} detections per image)')
    assert ap >= 0.97
