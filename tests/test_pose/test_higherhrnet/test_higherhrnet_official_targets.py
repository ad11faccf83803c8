"""Training-target parity with the official HigherHRNet data path, and the augmentation draws.

The fixture (env ``POSEZOO_HIGHERHRNET_TARGET_FIXTURE``, default
``../shared/fixtures/higherhrnet-official-targets``; see ``../shared/README.md``) records, for real
COCO train images with crowd regions and unannotated people, every random draw of the official
``RandomAffineTransform`` / ``RandomHorizontalFlip`` and the official network input, masks,
heatmaps and joint indices at 128 and 256. posezoo's training pipeline of the W32-512 config,
fed the coco-mini annotations through MMPose's ``CocoDataset`` (bottom-up mode) and the
recorded draws, must reproduce them: input within 2 grey levels on 99% of the pixels, masks
equal on >= 99.5% of the pixels, heatmaps within 1e-3, joint indices equal as sets per person.
"""
import json
from pathlib import Path
from typing import Dict, List, Set

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmpose.registry import DATASETS
from mmpose.utils import register_all_modules
from scipy import stats

import posezoo.pose  # noqa: F401  (registers the HigherHRNet modules)
from posezoo.pose.higherhrnet import HigherHRNetRandomAffine, HigherHRNetRandomFlip

CONFIG = 'configs/body_2d_keypoint/higherhrnet/coco/higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py'
RESOLUTIONS = (128, 256)


@pytest.fixture(scope='module')
def targets_fixture(shared_path) -> Path:
    return shared_path('POSEZOO_HIGHERHRNET_TARGET_FIXTURE', 'fixtures',
                       'higherhrnet-official-targets')


def _person_sets(indices: np.ndarray, res: int) -> List[Set[int]]:
    """Non-empty per-person sets of ``k * res^2 + y * res + x`` from our (N, K, 2) indices."""
    sets = []
    for person in indices:
        s = {k * res * res + int(i) for k, (i, v) in enumerate(person) if v > 0}
        if s:
            sets.append(s)
    return sets


def _official_sets(joints: np.ndarray) -> List[Set[int]]:
    """Non-empty per-person sets from the official (30, K, 2) ``JointsGenerator`` rows."""
    sets = []
    for person in joints:
        s = {int(i) for i, v in person if v > 0}
        if s:
            sets.append(s)
    return sets


def test_official_targets_parity(targets_fixture: Path, coco_mini: Path,
                                 repo_root: Path) -> None:
    register_all_modules()
    cfg = Config.fromfile(str(repo_root / CONFIG))
    index = json.loads((targets_fixture / 'index.json').read_text())
    entries = index['images'] if isinstance(index, dict) else index
    with DefaultScope.overwrite_default_scope('mmpose'):
        dataset = DATASETS.build(dict(
            type='CocoDataset', data_root=str(coco_mini), data_mode='bottomup',
            ann_file='annotations/person_keypoints_train2017.json',
            data_prefix=dict(img=str(targets_fixture) + '/'), pipeline=[]))
        pipeline = Compose([t for t in cfg.train_dataloader.dataset.pipeline
                            if t['type'] != 'PackPoseInputs'])
    affine = next(t for t in pipeline.transforms if isinstance(t, HigherHRNetRandomAffine))
    flip = next(t for t in pipeline.transforms if isinstance(t, HigherHRNetRandomFlip))
    by_id: Dict[int, int] = {dataset.get_data_info(i)['img_id']: i for i in range(len(dataset))}

    failures = []
    for entry in entries:
        name = entry['file_name']
        data = np.load(targets_fixture / (Path(name).stem + '.npz'))
        draws = entry['draws']
        affine.sample_params = lambda w, h, d=draws: dict(
            aug_scale=d['aug_scale'], aug_rot=d['aug_rot'], dx=d['dx'], dy=d['dy'])
        flip.prob = 1.0 if draws['flip'] else 0.0
        if entry['image_id'] not in by_id:
            raise KeyError(f'{name}: image {entry["image_id"]} not in coco-mini train2017')
        with DefaultScope.overwrite_default_scope('mmpose'):
            results = pipeline(dataset.get_data_info(by_id[entry['image_id']]))

        image = results['img'][..., ::-1].astype(np.int16)
        grey = np.abs(image - data['input'].astype(np.int16)).max(-1)
        within = float((grey <= 2).mean())
        line = [f'{name}: input within 2 grey levels on {within:.2%} of the pixels']
        if within < 0.99:
            failures.append(f'{name}: input within 2 grey levels on {within:.2%} only')
        for r, res in enumerate(RESOLUTIONS):
            mask_equal = float(((results['heatmap_mask'][r] > 0.5) ==
                                (data[f'mask_{res}'] > 0.5)).mean())
            heat_err = float(np.abs(results['heatmaps'][r] - data[f'heatmaps_{res}']).max())
            ours = _person_sets(results['keypoint_indices'][:, r], res)
            official = _official_sets(data[f'joints_{res}'])
            line.append(f'{res}: masks equal {mask_equal:.3%}, heatmap err {heat_err:.2e}, '
                        f'joint sets {"equal" if ours == official else "DIFFER"} '
                        f'({len(official)} people)')
            if mask_equal < 0.995:
                failures.append(f'{name} {res}: masks equal on {mask_equal:.3%} only')
            if heat_err > 1e-3:
                failures.append(f'{name} {res}: heatmaps off by {heat_err:.2e}')
            if ours != official:
                failures.append(f'{name} {res}: joint indices differ')
        print('; '.join(line))
    assert not failures, '; '.join(failures)


def test_augmentation_draws_are_official() -> None:
    """10,000 draws: scale uniform in [0.75, 1.5), rotation uniform in [-30, 30) degrees,
    translation integer in [-40 s, 40 s) with s = short side / 200 x scale; flip rate 0.5."""
    np.random.seed(0)
    affine = HigherHRNetRandomAffine(512, [128, 256])
    img_w, img_h = 640, 400
    draws = [affine.sample_params(img_w, img_h) for _ in range(10000)]
    scales = np.array([d['aug_scale'] for d in draws])
    rots = np.array([d['aug_rot'] for d in draws])
    dx = np.array([d['dx'] for d in draws])
    bound = 40 * min(img_w, img_h) / 200 * scales
    assert scales.min() >= 0.75 and scales.max() < 1.5
    assert rots.min() >= -30 and rots.max() < 30
    assert np.issubdtype(dx.dtype, np.integer)
    assert (dx >= np.trunc(-bound)).all() and (dx < np.trunc(bound)).all()
    p_scale = stats.kstest(scales, 'uniform', args=(0.75, 0.75)).pvalue
    p_rot = stats.kstest(rots, 'uniform', args=(-30, 60)).pvalue
    # dx is a uniform integer in [low, high): dx - low + U[0, 1) is uniform on [0, high - low)
    low, high = np.trunc(-bound), np.trunc(bound)
    jitter = np.random.default_rng(1).random(len(dx))
    p_dx = stats.kstest((dx - low + jitter) / (high - low), 'uniform').pvalue
    flips = np.array([HigherHRNetRandomFlip()(dict(
        img=np.zeros((4, 4, 3), np.uint8), keypoints=np.zeros((0, 17, 2)),
        keypoints_visible=np.zeros((0, 17)), flip_indices=list(range(17)),
        keypoints_levels=[], heatmap_mask=[]))['flip'] for _ in range(10000)])
    print(f'10,000 draws: KS p-values scale {p_scale:.3f}, rotation {p_rot:.3f}, '
          f'translation {p_dx:.3f}; flip rate {flips.mean():.3f}')
    assert min(p_scale, p_rot, p_dx) > 0.01
    assert abs(flips.mean() - 0.5) < 0.02
