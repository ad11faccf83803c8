"""Oracle: encode real COCO annotations with the codec, decode them back through the full
inference path (aggregation of both resolutions, grouping, refinement, rescoring, mapping back
to the image, CocoMetric) without a network. Env ``POSEZOO_ORACLE_ANN`` overrides the annotation
file.

No flip test: the mirrored oracle outputs of a flipped input are the flip of these outputs, so
flip test would average every heatmap with itself and duplicate every tag, changing nothing but
the cost (flip test is checked in ``test_higherhrnet_head.py``)."""
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from mmengine.structures import InstanceData
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.datasets.transforms import BottomupResize
from mmpose.evaluation import CocoMetric
from mmpose.models import BottomupPoseEstimator
from mmpose.structures import PoseDataSample

from posezoo.pose.higherhrnet import HigherHRNetHead

INPUT_SIZE = (512, 512)
TAG_SPACING = 3.0


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


def _oracle_outputs(head: HigherHRNetHead, image: dict, anns: list, meta: dict):
    """Target 'network outputs' (stage 0: heatmaps + tags at 1/4, stage 1: heatmaps at 1/2)
    for one image, and its data sample (metainfo as the val pipeline's BottomupResize)."""
    h, w = image['height'], image['width']
    results = BottomupResize(INPUT_SIZE, size_factor=64, resize_mode='expand')(
        dict(img=np.zeros((h, w, 3), np.uint8), ori_shape=(h, w), img_shape=(h, w)))
    input_w, input_h = results['input_size']
    center, scale = results['input_center'], results['input_scale']
    num_keypoints = len(meta['flip_indices'])
    kpts = np.array([a['keypoints'] for a in anns], np.float32).reshape(
        len(anns), num_keypoints, 3)
    keypoints = (kpts[..., :2] - center + 0.5 * scale) / scale * [input_w, input_h]
    visible = (kpts[..., 2] > 0).astype(np.float32)

    codec = head.decoder.__class__(
        input_size=(input_w, input_h),
        heatmap_sizes=[(input_w // 4, input_h // 4), (input_w // 2, input_h // 2)])
    encoded = codec.encode(keypoints, visible)
    tags = _ideal_tags(keypoints / 4, visible, (input_w // 4, input_h // 4))
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


def test_oracle_coco_ap(coco_mini: Path, tmp_path: Path) -> None:
    ann_file = Path(os.environ.get(
        'POSEZOO_ORACLE_ANN', coco_mini / 'annotations' / 'person_keypoints_val2017.json'))
    coco = json.loads(ann_file.read_text())
    anns_per_image = defaultdict(list)
    for ann in coco['annotations']:
        if ann['category_id'] == 1 and not ann.get('iscrowd', 0) and ann['num_keypoints'] > 0:
            anns_per_image[ann['image_id']].append(ann)
    meta = parse_pose_metainfo(dict(from_file='configs/_base_/datasets/coco.py'))

    head = HigherHRNetHead(
        in_channels=8, num_keypoints=17,
        decoder=dict(type='MultiResolutionAssociativeEmbedding', input_size=INPUT_SIZE,
                     heatmap_sizes=[(128, 128), (256, 256)]))
    head.forward = lambda outputs: outputs  # the "network" returns the oracle outputs
    estimator_add_pred = BottomupPoseEstimator.add_pred_to_datasample

    metric = CocoMetric(ann_file=str(ann_file), score_mode='bbox', nms_mode='none',
                        outfile_prefix=str(tmp_path / 'oracle'))
    metric.dataset_meta = meta
    num_people = 0
    for image in coco['images']:
        anns = anns_per_image.get(image['id'], [])
        outputs, sample = _oracle_outputs(head, image, anns, dict(
            flip_indices=meta['flip_indices']))
        preds = head.predict(outputs, [sample], test_cfg=dict(flip_test=False))
        sample = estimator_add_pred(None, preds, None, [sample])[0]
        num_people += len(sample.pred_instances)
        if not anns:
            assert len(sample.pred_instances) == 0, 'an image without people gave people'
        metric.process([], [sample.to_dict()])
    ap = metric.compute_metrics(metric.results)['AP']
    print(f'oracle on {ann_file.name}: {len(coco["images"])} images, '
          f'{sum(map(len, anns_per_image.values()))} people annotated, {num_people} decoded, '
          f'COCO AP {ap:.4f}')
    assert ap >= 0.95
