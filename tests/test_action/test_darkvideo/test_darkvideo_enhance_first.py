"""Enhance, then resize (the seed's order): ``EnhanceFrames`` in the data pipeline, the two-view
KD batches (raw for the student, enhanced for the teacher) and the ARID / ARID v1.5 / Dark-48
configs (enhance-first teachers, gradient accumulation)."""
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import Compose

import posezoo.action  # noqa: F401

from darkvideo_helpers import CONFIGS, STUDENT_CFG, zerodce_checkpoint

DATASETS = ('arid', 'arid-v1.5', 'dark48')


def frames(t: int = 4, h: int = 40, w: int = 60, seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 50, (h, w, 3), dtype=np.uint8) for _ in range(t)]


def run(pipeline: list, imgs: list) -> np.ndarray:
    results = dict(imgs=list(imgs), img_shape=imgs[0].shape[:2], original_shape=imgs[0].shape[:2],
                   clip_len=len(imgs), num_clips=1, frame_inds=np.arange(len(imgs)),
                   modality='RGB', filename='clip.mp4')
    return Compose(pipeline)(results)['imgs']


def test_enhance_frames_gic_matches_the_lut_transform():
    imgs = frames()
    gic = run([dict(type='GammaIntensityCorrection', gamma=2.0)], imgs)
    enhanced = run([dict(type='EnhanceFrames', enhancer=dict(type='GammaEnhancer', gamma=2.0))],
                   imgs)
    diff = np.abs(np.stack(gic).astype(int) - np.stack(enhanced).astype(int)).max()
    assert diff <= 1 and np.stack(enhanced).mean() > np.stack(imgs).mean()
    with pytest.raises(TypeError, match='clip.mp4'):
        run([dict(type='EnhanceFrames', enhancer=dict(type='GammaEnhancer'))],
            [f.astype(np.float32) for f in imgs])


def test_two_views_share_resize_crop_flip_and_order_matters():
    imgs = frames()
    zerodce = dict(type='ZeroDCE', checkpoint=zerodce_checkpoint())
    tail = [dict(type='Resize', scale=(-1, 16)), dict(type='CenterCrop', crop_size=12),
            dict(type='Flip', flip_ratio=1.0), dict(type='FormatShape', input_format='NCTHW')]
    both = run([dict(type='EnhanceFrames', enhancer=zerodce, keep_raw=True), *tail], imgs)
    assert both.shape == (2, 3, 4, 12, 12)
    raw = run(tail, imgs)
    np.testing.assert_array_equal(both[0], raw[0])
    enhanced_first = run([dict(type='EnhanceFrames', enhancer=zerodce), *tail], imgs)
    np.testing.assert_array_equal(both[1], enhanced_first[0])
    # the seed's order (enhance at 40 x 60, then resize) is not resize-then-enhance
    resized_first = run([*tail[:3], dict(type='EnhanceFrames', enhancer=zerodce), tail[3]], imgs)
    gap = np.abs(enhanced_first.astype(float) - resized_first.astype(float)).mean()
    print(f'Zero-DCE enhance-then-resize vs resize-then-enhance: mean |diff| {gap:.2f} levels')
    assert gap > 0.5


def test_kd_teacher_sees_view_1_student_view_0():
    torch.manual_seed(0)
    student = Config.fromfile(str(STUDENT_CFG)).model
    model = MODELS.build(dict(type='KDRecognizer', student=student, teacher_config=student,
                              teacher_view=1))
    seen = {}
    model.student.backbone.register_forward_pre_hook(lambda m, a: seen.update(s=a[0]))
    model.teacher.backbone.register_forward_pre_hook(lambda m, a: seen.update(t=a[0]))
    inputs = torch.randn(3, 2, 3, 8, 16, 16)
    samples = [ActionDataSample().set_gt_label(i) for i in range(3)]
    losses = model.loss(inputs, samples)
    assert {'loss_cls', 'loss_kd'} <= set(losses)
    torch.testing.assert_close(seen['s'], inputs[:, 0])
    torch.testing.assert_close(seen['t'], inputs[:, 1])
    with pytest.raises(ValueError, match='EnhanceFrames'):
        model.loss(inputs[:, :1], samples)
    with pytest.raises(ValueError, match='teacher_view'):
        MODELS.build(dict(type='KDRecognizer', student=student, teacher_config=student,
                          teacher_view=0))


@pytest.mark.parametrize('dataset', DATASETS)
def test_reference_configs(dataset):
    folder = CONFIGS / dataset
    suffix = f'_1xb2-30e_{dataset}-64x112x112.py'
    for backbone in ('r2plus1d-r34', 'vit-b'):
        teacher = Config.fromfile(str(folder / f'zerodce-{backbone}-bert{suffix}'))
        assert teacher.model.type == 'Recognizer3D'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            types = [t['type'] for t in teacher[loader].dataset.pipeline]
            assert types.index('EnhanceFrames') < types.index('Resize'), (loader, types)
        kd = Config.fromfile(str(folder / f'kd-zerodce_{backbone}-bert{suffix}'))
        assert kd.model.teacher_view == 1
        step = next(t for t in kd.train_dataloader.dataset.pipeline if t['type'] == 'EnhanceFrames')
        assert step['keep_raw']
        val_types = [t['type'] for t in kd.val_dataloader.dataset.pipeline]
        assert 'EnhanceFrames' not in val_types
        for cfg in (teacher, kd):
            assert cfg.optim_wrapper.accumulative_counts == 24
            assert cfg.train_dataloader.batch_size == 2
    r34 = Config.fromfile(str(folder / f'r2plus1d-r34-bert{suffix}')).model
    assert r34.backbone.type == 'TorchvisionR2Plus1d' and r34.backbone.depth == 34
    assert r34.cls_head.dropout_ratio == 0.8 and r34.cls_head.token_keep_prob == 0.8
