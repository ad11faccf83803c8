"""LSTM skeleton backbone and head: shapes for any people / frames / layout, masking, gradients."""
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

import posezoo.action  # noqa: F401  (registers into mmaction; makes mmaction.models importable)
from posezoo.action.skeleton import LSTMSkeleton, SkeletonClsHead


def _clip(n, m, t, v, c, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, m, t, v, c, generator=g) + 0.05  # scores > 0: every keypoint valid
    return x


@pytest.mark.parametrize('m, t', [(1, 8), (2, 30), (3, 1), (5, 17)])
@pytest.mark.parametrize('layout, v, c, nc', [('coco', 17, 3, 2), ('halpe', 26, 3, 2),
                                              ('mediapipe', 33, 4, 3)])
def test_shapes_any_people_frames_layout(m, t, layout, v, c, nc):
    backbone = LSTMSkeleton(in_channels=c, num_joints=v, hidden_size=16, num_layers=2,
                            norm_cfg=dict(layout=layout, num_coords=nc)).eval()
    feats, valid = backbone(_clip(2, m, t, v, c))
    assert feats.shape == (2, m, 16) and valid.shape == (2, m) and valid.all()
    head = SkeletonClsHead(num_classes=4, in_channels=16)
    assert head((feats, valid)).shape == (2, 4)


@pytest.mark.parametrize('pool', ['last', 'mean'])
def test_bidirectional_and_pooling(pool):
    backbone = LSTMSkeleton(3, 17, hidden_size=8, num_layers=3, bidirectional=True, dropout=0.5,
                            temporal_pool=pool).eval()
    assert backbone.out_channels == 16
    x = _clip(3, 2, 12, 17, 3)
    feats, _ = backbone(x)
    assert feats.shape == (3, 2, 16)
    out, (h_n, _) = backbone.lstm(backbone.norm(x).reshape(6, 12, 51))
    expected = out.mean(1) if pool == 'mean' else torch.cat([h_n[-2], h_n[-1]], -1)
    torch.testing.assert_close(feats.reshape(6, 16), expected)
    if pool == 'last':  # forward half = last step output; backward half = first step output
        torch.testing.assert_close(expected[:, :8], out[:, -1, :8])
        torch.testing.assert_close(expected[:, 8:], out[:, 0, 8:])


def test_padding_people_are_ignored():
    torch.manual_seed(0)
    backbone = LSTMSkeleton(3, 17, hidden_size=8, num_layers=1).eval()
    head = SkeletonClsHead(num_classes=3, in_channels=8).eval()
    one = _clip(1, 1, 10, 17, 3)
    padded = torch.cat([one, torch.zeros(1, 2, 10, 17, 3)], dim=1)  # FormatGCNInput padding
    feats, valid = backbone(padded)
    assert valid.tolist() == [[True, False, False]]
    torch.testing.assert_close(head((feats, valid)), head(backbone(one)))
    # mean over two real people = mean of their features
    two = torch.cat([one, _clip(1, 1, 10, 17, 3, seed=1)], dim=1)
    f2, v2 = backbone(two)
    torch.testing.assert_close(head((f2, v2)), head.fc(f2.mean(1)))
    head_max = SkeletonClsHead(num_classes=3, in_channels=8, person_pool='max').eval()
    torch.testing.assert_close(head_max((f2, v2)), head_max.fc(f2.amax(1)))
    # an all-empty clip does not produce nan
    empty = backbone(torch.zeros(1, 2, 10, 17, 3))
    assert torch.isfinite(head(empty)).all()


def test_body_normalisation_makes_features_position_and_size_invariant():
    torch.manual_seed(0)
    backbone = LSTMSkeleton(3, 17, hidden_size=8).eval()
    x = _clip(1, 1, 6, 17, 3)
    moved = x.clone()
    moved[..., :2] = moved[..., :2] * 4.0 + 100.0
    torch.testing.assert_close(backbone(x)[0], backbone(moved)[0])
    raw = LSTMSkeleton(3, 17, hidden_size=8, norm_cfg=None).eval()
    assert not torch.allclose(raw(x)[0], raw(moved)[0])


def test_gradients_reach_every_parameter():
    init_default_scope('mmaction')
    model = MODELS.build(
        dict(type='RecognizerGCN',
             backbone=dict(type='LSTMSkeleton', in_channels=3, num_joints=17, hidden_size=8,
                           num_layers=2, bidirectional=True),
             cls_head=dict(type='SkeletonClsHead', num_classes=4, in_channels=16, topk=(1, ))))
    model.init_weights()
    inputs = _clip(2, 2, 9, 17, 3)[:, None]  # (N, num_clips, M, T, V, C)
    samples = [ActionDataSample().set_gt_label(label) for label in (1, 3)]
    losses = model(inputs, samples, mode='loss')
    assert set(losses) >= {'loss_cls', 'top1_acc'}
    losses['loss_cls'].backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    preds = model(_clip(2, 1, 9, 17, 3)[:, None].repeat(1, 3, 1, 1, 1, 1), samples,
                  mode='predict')  # 3 clips per sample are averaged
    assert preds[0].pred_score.shape == (4, )


def test_input_checks():
    backbone = LSTMSkeleton(3, 17)
    with pytest.raises(ValueError, match=r'expects \(N, M, T, V=17, C=3\)'):
        backbone(torch.zeros(1, 1, 5, 33, 4))
    with pytest.raises(ValueError, match='temporal_pool'):
        LSTMSkeleton(3, 17, temporal_pool='max')
    with pytest.raises(ValueError, match='person_pool'):
        SkeletonClsHead(4, 8, person_pool='sum')
