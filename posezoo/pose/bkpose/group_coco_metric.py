"""COCO keypoint evaluation with a detections-per-image cap and OKS AP per keypoint group.

BK-Pose's Tables 4 and 7 report accuracy per keypoint group (head, shoulder, elbow, wrist, hip,
knee, ankle, heel, foot index) without defining it; posezoo defines it as the COCO OKS AP with
the object keypoint similarity restricted to the group's keypoints::

    OKS_g(d, t) = sum_{i in g, v_i > 0} exp(-d_i^2 / (2 s^2 k_i^2)) / |{i in g : v_i > 0}|

with ``s^2`` the ground-truth person's area (the whole person's, as in COCO) and ``k_i`` the
dataset's sigmas. A person without a labelled keypoint of the group is ignored for that group
(COCO's rule for people with no labelled keypoint). Detections, their scores and the matching at
OKS thresholds 0.50:0.05:0.95 are otherwise COCO's, capped at ``max_dets`` per image.
"""
from collections import OrderedDict
from copy import deepcopy
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.logging import MMLogger
from mmpose.evaluation.metrics import CocoMetric
from mmpose.registry import METRICS
from xtcocotools.coco import COCO
from xtcocotools.cocoeval import COCOeval

# the paper's groups (seed 003, Tables 4 and 7) by keypoint name: COCO-17 names, and Halpe-26's
# heels and big toes (BlazePose's "foot index" is the tip of the big toe)
PAPER_KEYPOINT_GROUPS: Dict[str, List[str]] = OrderedDict(
    head=['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear'],
    shoulder=['left_shoulder', 'right_shoulder'],
    elbow=['left_elbow', 'right_elbow'],
    wrist=['left_wrist', 'right_wrist'],
    hip=['left_hip', 'right_hip'],
    knee=['left_knee', 'right_knee'],
    ankle=['left_ankle', 'right_ankle'],
    heel=['left_heel', 'right_heel'],
    foot_index=['left_big_toe', 'right_big_toe'],
)

STATS_NAMES = ('AP', 'AP .5', 'AP .75', 'AP (M)', 'AP (L)', 'AR', 'AR .5', 'AR .75', 'AR (M)',
               'AR (L)')


def summarize_keypoints(coco_eval: COCOeval) -> List[float]:
    """COCO's ten keypoint figures (``STATS_NAMES``) at the single ``params.maxDets`` of an
    accumulated ``coco_eval`` (xtcocotools' own summary is written for 20 detections only).

    ``eval['precision']`` is (T thresholds, R recall points, K categories, A areas, M caps),
    ``eval['recall']`` is (T, K, A, M); -1 marks an empty cell (no ground truth).
    """
    params = coco_eval.params
    precision, recall = coco_eval.eval['precision'], coco_eval.eval['recall']

    def mean(values: np.ndarray) -> float:
        values = values[values > -1]
        return float(values.mean()) if values.size else -1.0

    def at(array: np.ndarray, thr: Optional[float], area: str) -> np.ndarray:
        a = params.areaRngLbl.index(area)
        rows = array if thr is None else array[np.isclose(params.iouThrs, thr)]
        return rows[..., a, -1]

    stats = []
    for array in (precision, recall):
        stats += [mean(at(array, None, 'all')), mean(at(array, 0.5, 'all')),
                  mean(at(array, 0.75, 'all'))]
        stats += [mean(at(array, None, 'medium')), mean(at(array, None, 'large'))]
    # COCO's order: AP, AP .5, AP .75, AP (M), AP (L), AR, AR .5, AR .75, AR (M), AR (L)
    return stats


def restrict_keypoints(dataset: dict, indices: Sequence[int]) -> dict:
    """A copy of a COCO keypoint dataset (or a result list in ``dataset['annotations']``) with
    only the keypoints at ``indices``, in that order; ``num_keypoints`` counts the labelled ones."""
    dataset = deepcopy(dataset)
    cols = np.asarray([[3 * i, 3 * i + 1, 3 * i + 2] for i in indices]).ravel()
    for ann in dataset['annotations']:
        kpts = np.asarray(ann['keypoints'], dtype=float)[cols]
        ann['keypoints'] = kpts.tolist()
        ann['num_keypoints'] = int(np.count_nonzero(kpts[2::3] > 0))
    return dataset


@METRICS.register_module()
class GroupCocoMetric(CocoMetric):
    """MMPose's ``CocoMetric`` with ``max_dets`` detections per image and per-group OKS AP.

    The figures are MMPose's names (``coco/AP``, ``coco/AR`` ...) and, for every group whose
    keypoints the dataset has, ``coco/<group> AP`` (the definition in the module docstring).

    Args:
        max_dets (int): detections kept per image, by score. COCO's 20 by default; classroom
            scenes with 30-60 people need 100.
        keypoint_groups (dict, optional): group name -> keypoint names. ``None`` uses
            :data:`PAPER_KEYPOINT_GROUPS`; ``{}`` evaluates no group. Groups with a keypoint the
            dataset lacks are left out (COCO-17 has no heel or foot index).
        **kwargs: ``CocoMetric``'s arguments.
    """

    def __init__(self, max_dets: int = 20, keypoint_groups: Optional[Dict[str, List[str]]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if kwargs.get('iou_type', 'keypoints') != 'keypoints':
            raise ValueError('GroupCocoMetric evaluates iou_type="keypoints" only')
        if max_dets < 1:
            raise ValueError(f'max_dets must be >= 1, got {max_dets}')
        self.max_dets = max_dets
        self.keypoint_groups = PAPER_KEYPOINT_GROUPS if keypoint_groups is None else keypoint_groups

    def group_indices(self) -> Dict[str, List[int]]:
        """Group name -> keypoint indices, for the groups the dataset has all keypoints of."""
        name2id = self.dataset_meta['keypoint_name2id']
        return {group: [name2id[n] for n in names]
                for group, names in self.keypoint_groups.items()
                if all(n in name2id for n in names)}

    def _evaluate(self, coco_gt: COCO, coco_dt: COCO, sigmas: np.ndarray) -> List[float]:
        coco_eval = COCOeval(coco_gt, coco_dt, 'keypoints', sigmas, self.use_area)
        coco_eval.params.useSegm = None
        coco_eval.params.maxDets = [self.max_dets]
        coco_eval.evaluate()
        coco_eval.accumulate()
        return summarize_keypoints(coco_eval)

    def _do_python_keypoint_eval(self, outfile_prefix: str) -> list:
        coco_det = self.coco.loadRes(f'{outfile_prefix}.keypoints.json')
        sigmas = np.asarray(self.dataset_meta['sigmas'])
        info = list(zip(STATS_NAMES, self._evaluate(self.coco, coco_det, sigmas)))
        logger = MMLogger.get_current_instance()
        logger.info(f'{self.__class__.__name__}: AP {info[0][1]:.4f}, AR {info[5][1]:.4f} '
                    f'at {self.max_dets} detections per image')
        for group, indices in self.group_indices().items():
            gt = COCO()
            gt.dataset = restrict_keypoints(self.coco.dataset, indices)
            gt.createIndex()
            dt = COCO()
            dt.dataset = restrict_keypoints(
                dict(images=self.coco.dataset['images'], categories=self.coco.dataset['categories'],
                     annotations=coco_det.dataset['annotations']), indices)
            dt.createIndex()
            ap = self._evaluate(gt, dt, sigmas[indices])[0]
            info.append((f'{group} AP', ap))
            logger.info(f'{self.__class__.__name__}: {group} AP {ap:.4f}')
        return info
