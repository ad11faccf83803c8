"""FrameViT (seed 002's frame-level ViT): ViT-B/16 at 112 px (7 x 7 patches, parameter count),
torchvision state dicts loading with interpolated position embeddings, per-frame tokens into the
BERT head, the configs; KDRecognizer's temperature and two-stage (direct, then distillation)
options on a tiny ViT."""
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.logging import MessageHub
from torchvision.models import vit_b_16
from torchvision.models.vision_transformer import VisionTransformer

import posezoo.action  # noqa: F401
from posezoo.action.darkvideo import DistillationKLLoss, FrameViT

from darkvideo_helpers import CONFIGS

TINY = dict(type='FrameViT', image_size=32, patch_size=16, num_layers=1, num_heads=2,
            hidden_dim=16, mlp_dim=32)


def tiny_recognizer(num_classes: int = 3) -> dict:
    return dict(
        type='Recognizer3D', backbone=dict(TINY),
        cls_head=dict(type='BERTHead', num_classes=num_classes, in_channels=16, max_tokens=4,
                      num_heads=2, average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor', format_shape='NCTHW'))


@pytest.fixture(scope='module')
def vit_b() -> FrameViT:
    return FrameViT()  # ViT-B/16 at 112 px, built once


def test_vit_b16_at_112_has_7x7_patches_and_86m_parameters(vit_b):
    assert vit_b.vit.encoder.pos_embedding.shape == (1, 7 * 7 + 1, 768)
    assert vit_b.vit.conv_proj.stride == (16, 16)
    n = sum(p.numel() for p in vit_b.parameters())
    # torchvision's ViT-B/16: 86,567,656 parameters at 224 px with its 1000-class head; less
    # the head (769,000) and 147 of the 197 position embeddings (147 * 768)
    assert n == 86_567_656 - 769_000 - 147 * 768 == 85_685_760
    head = MODELS.build(Config.fromfile(str(
        CONFIGS / 'arid' / 'frame-vit-b16-bert_1xb2-30e_arid-64x112x112.py')).model.cls_head)
    n_head = sum(p.numel() for p in head.parameters())
    assert 7.0e6 < n_head < 7.2e6  # one 768-wide encoder layer, 65 position embeddings, fc


def test_torchvision_state_dict_loads_with_interpolated_positions(vit_b, tmp_path):
    torch.manual_seed(0)
    tv = vit_b_16()  # random weights, torchvision's layout and 224-px grid
    state = tv.state_dict()
    path = tmp_path / 'vit_b_16.pth'
    torch.save(state, path)
    model = FrameViT(init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    for key, value in state.items():
        if key.startswith('heads.') or key == 'encoder.pos_embedding':
            continue
        assert torch.equal(model.vit.state_dict()[key], value), key
    # by hand: the 14 x 14 grid resized to 7 x 7 bicubically with aligned corners, CLS kept
    pos = state['encoder.pos_embedding']
    grid = pos[:, 1:].reshape(1, 14, 14, 768).permute(0, 3, 1, 2)
    expected = F.interpolate(grid, size=(7, 7), mode='bicubic', align_corners=True)
    expected = expected.permute(0, 2, 3, 1).reshape(1, 49, 768)
    got = model.vit.encoder.pos_embedding.detach()
    assert got.shape == (1, 50, 768)
    assert torch.equal(got[:, :1], pos[:, :1])
    torch.testing.assert_close(got[:, 1:], expected, rtol=0, atol=1e-6)
    # aligned corners: the four corner patches keep their embeddings exactly
    for (r, c) in ((0, 0), (0, 13), (13, 0), (13, 13)):
        assert torch.equal(got[0, 1 + (r // 13 * 6) * 7 + c // 13 * 6], pos[0, 1 + r * 14 + c])
    # a plain load_state_dict of the same file is strict-clean
    assert not FrameViT(image_size=112).load_state_dict(state, strict=True).missing_keys


def test_frames_are_classified_one_by_one():
    torch.manual_seed(0)
    model = MODELS.build(TINY).eval()
    clips = torch.randn(2, 3, 4, 32, 32)  # (N, C, T, H, W)
    feats = model(clips)
    assert feats.shape == (2, 16, 4)
    # each token is the image ViT's CLS feature of that frame alone
    ref = VisionTransformer(32, 16, 1, 2, 16, 32)
    ref.heads = torch.nn.Identity()
    ref.load_state_dict(model.vit.state_dict())
    ref.eval()
    torch.testing.assert_close(feats[1, :, 2], ref(clips[1:2, :, 2])[0])
    chunked = MODELS.build(dict(TINY, frames_per_pass=3)).eval()
    chunked.load_state_dict(model.state_dict())
    torch.testing.assert_close(chunked(clips), feats)
    recognizer = MODELS.build(tiny_recognizer()).eval()
    scores = recognizer(clips.unsqueeze(1), mode='tensor')
    assert recognizer.cls_head(scores).shape == (2, 3)


def test_image_size_must_fit_the_patch_grid():
    with pytest.raises(ValueError, match='multiple of patch_size'):
        FrameViT(image_size=120, patch_size=16)


def _kd(**kwargs):
    return MODELS.build(dict(type='KDRecognizer', student=tiny_recognizer(),
                             teacher_config=tiny_recognizer(), **kwargs))


def _batch():
    torch.manual_seed(1)
    samples = [ActionDataSample().set_gt_label(i) for i in (0, 2)]
    return torch.randn(2, 1, 3, 4, 32, 32), samples


def test_temperature_option_overrides_the_loss():
    assert _kd().distill_loss.temperature == 1.0  # the seed gives none: 1
    assert _kd(temperature=4.0).distill_loss.temperature == 4.0
    with pytest.raises(ValueError, match='direct_epochs'):
        _kd(direct_epochs=-1)


def test_two_stage_training_direct_then_distillation(monkeypatch):
    model = _kd(direct_epochs=2, temperature=2.0).eval()  # eval: no dropout / token masking
    inputs, samples = _batch()
    hub = MessageHub.get_instance('test_darkvideo_frame_vit_two_stage')
    calls = []
    run_teacher = model.teacher.extract_feat
    monkeypatch.setattr(model.teacher, 'extract_feat',
                        lambda *a, **k: calls.append(1) or run_teacher(*a, **k))
    student_logits = model.student.cls_head(model.student.extract_feat(inputs)[0])
    teacher_logits = model.teacher.cls_head(model.teacher.extract_feat(inputs)[0])
    calls.clear()
    ce = F.cross_entropy(student_logits, torch.tensor([0, 2]))
    for epoch in (0, 1):  # direct learning: CE only, the teacher not run
        hub.update_info('epoch', epoch)
        losses = model.loss(inputs, samples)
        assert losses['loss_kd'].item() == 0.0 and not calls
        torch.testing.assert_close(losses['loss_cls'], ce)
    hub.update_info('epoch', 2)  # distillation
    losses = model.loss(inputs, samples)
    assert calls
    kd = DistillationKLLoss(temperature=2.0)(student_logits, teacher_logits)
    torch.testing.assert_close(losses['loss_kd'], kd)
    assert losses['loss_kd'].item() > 0
    torch.testing.assert_close(losses['loss_cls'], ce)


def test_seed_configs_distil_after_direct_learning():
    for folder, k in (('arid', 11), ('arid-v1.5', 11), ('dark48', 48)):
        name = f'kd-zerodce_frame-vit-b16-bert_1xb2-30e_{folder}-64x112x112.py'
        cfg = Config.fromfile(str(CONFIGS / folder / name))
        assert cfg.model.type == 'KDRecognizer'
        assert (cfg.model.direct_epochs, cfg.model.temperature) == (10, 1.0)
        assert cfg.model.student.backbone.type == 'FrameViT'
        assert cfg.model.student.cls_head.num_classes == k
        teacher = Config.fromfile(cfg.model.teacher_config)
        assert teacher.model.backbone.type == 'FrameViT'
        assert Path(cfg.model.teacher_config).name == 'zerodce-' + name.split('_', 1)[1]
    for split in (2, 3):
        cfg = Config.fromfile(str(
            CONFIGS / 'arid' / f'kd-zerodce_frame-vit-b16-bert_1xb2-30e_arid-split-{split}-64x112x112.py'))
        for loader in ('train', 'val'):
            assert cfg[f'{loader}_dataloader'].dataset.ann_file == \
                f'data/arid/arid_{loader}_split_{split}_videos.txt'
        assert cfg.test_dataloader.dataset.ann_file == f'data/arid/arid_val_split_{split}_videos.txt'
        assert f'split-{split}' in cfg.model.teacher_config
        assert cfg.train_dataloader.dataset.pipeline[3]['type'] == 'EnhanceFrames'
