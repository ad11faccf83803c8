"""BERT-style temporal head: shapes, CLS/positional behaviour, gradients, MMAction2 loss."""
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

import posezoo.action  # noqa: F401


def build(**kwargs):
    cfg = dict(type='BERTHead', num_classes=5, in_channels=16, max_tokens=8, num_layers=2,
               num_heads=4, attn_dropout=0.0, dropout_ratio=0.0)
    cfg.update(kwargs)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def test_shapes_and_feature_layouts():
    torch.manual_seed(0)
    head = build().eval()
    feat5d = torch.randn(3, 16, 6, 4, 4)
    out = head(feat5d)
    assert out.shape == (3, 5)
    torch.testing.assert_close(head(feat5d.mean((3, 4))), out)  # (N, C, T) input
    torch.testing.assert_close(head((feat5d, )), out)  # tuple from a backbone
    assert len(head.encoder.layers) == 2 and head.encoder.layers[0].self_attn.num_heads == 4


def test_temporal_order_matters_and_all_params_learn():
    torch.manual_seed(0)
    head = build().eval()
    x = torch.randn(2, 16, 6)
    out = head(x)
    assert not torch.allclose(head(x.flip(2)), out)  # positional embeddings break symmetry
    out.sum().backward()
    no_grad = [n for n, p in head.named_parameters() if p.grad is None]
    assert not no_grad, no_grad


def test_errors():
    with pytest.raises(ValueError, match='num_heads'):
        build(num_heads=3)
    head = build()
    with pytest.raises(ValueError, match='max_tokens'):
        head(torch.randn(1, 16, 9))
    with pytest.raises(ValueError, match='features'):
        head(torch.randn(1, 8, 4))


def test_loss_and_predict_through_basehead():
    torch.manual_seed(0)
    head = build(average_clips='prob')
    feats = torch.randn(4, 16, 4, 2, 2)
    samples = [ActionDataSample().set_gt_label(i) for i in range(4)]
    losses = head.loss(feats, samples)
    assert losses['loss_cls'].ndim == 0 and losses['loss_cls'].item() > 0
    head.eval()
    preds = head.predict(feats, samples)
    assert preds[0].pred_score.shape == (5, )
    assert preds[0].pred_score.sum().item() == pytest.approx(1.0, rel=1e-5)


def test_r2plus1d_bert_defaults():
    head = MODELS.build(dict(type='BERTHead', num_classes=5, in_channels=16, num_heads=4))
    assert head.dropout.p == 0.8 and head.token_keep_prob == 0.8
    assert isinstance(head.norm, torch.nn.Identity)  # no norm after the last layer
    layer = head.encoder.layers[0]
    assert layer.norm_first and layer.dropout.p == 0.1
    with_norm = build(final_norm=True)
    assert isinstance(with_norm.norm, torch.nn.LayerNorm)
    with pytest.raises(ValueError, match='token_keep_prob'):
        build(token_keep_prob=0.0)


def test_token_masking_in_training_only():
    torch.manual_seed(0)
    head = build(token_keep_prob=0.5)  # dropouts 0: masking is the only randomness
    x = torch.randn(4, 16, 8)
    head.eval()
    assert head.token_mask(4, 8, x.device) is None
    torch.testing.assert_close(head(x), head(x))
    head.train()
    torch.manual_seed(1)
    mask = head.token_mask(4, 8, x.device)
    assert mask.shape == (4, 9) and not mask[:, 0].any() and mask[:, 1:].any()
    torch.manual_seed(1)
    out = head(x)
    # hidden tokens do not influence the output: change them, same mask -> same output
    changed = x.clone().transpose(1, 2)
    changed[mask[:, 1:]] += 10.0
    torch.manual_seed(1)
    torch.testing.assert_close(head(changed.transpose(1, 2)), out)
    assert not torch.allclose(out, head.eval()(x))
    # keep probability 1: training == eval
    full = build(token_keep_prob=1.0).train()
    assert full.token_mask(4, 8, x.device) is None
    torch.testing.assert_close(full(x), full.eval()(x))
