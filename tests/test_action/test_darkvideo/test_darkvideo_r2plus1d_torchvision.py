"""TorchvisionR2Plus1d: parity with torchvision's ``r2plus1d_18`` (same state dict -> identical
features), the IG65M R(2+1)D-34 key layout through ``tools/model_converters/ig65m2posezoo.py``,
and the 7 x 7 final map of a 112 px clip."""
import importlib.util

import pytest
import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.config import Config
from torchvision.models.video import r2plus1d_18
from torchvision.models.video.resnet import BasicBlock, Conv2Plus1D, R2Plus1dStem, VideoResNet

import posezoo.action  # noqa: F401

from darkvideo_helpers import CONFIGS, REPO_ROOT

_spec = importlib.util.spec_from_file_location(
    'ig65m2posezoo', REPO_ROOT / 'tools' / 'model_converters' / 'ig65m2posezoo.py')
ig65m2posezoo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ig65m2posezoo)

R34_BASE = CONFIGS / '_base_' / 'models' / 'r2plus1d-r34_bert.py'


def randomise_bn(model: nn.Module, seed: int) -> None:
    """Random BatchNorm affine parameters and running statistics (so that eval mode tests them)."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm3d):
            m.weight.data = torch.rand(m.weight.shape, generator=g) + 0.5
            m.bias.data = torch.randn(m.bias.shape, generator=g) * 0.1
            m.running_mean = torch.randn(m.running_mean.shape, generator=g) * 0.1
            m.running_var = torch.rand(m.running_var.shape, generator=g) + 0.5


def ig65m_reference_r2plus1d_34(num_classes: int = 359) -> VideoResNet:
    """The network of ig65m-pytorch's ``r2plus1d_34`` (built from torchvision's modules as that
    package does): VideoResNet (3, 4, 6, 3), Caffe2 middle widths in the first block of stages
    2-4, BatchNorm eps 1e-3 / momentum 0.9, a ``num_classes`` classifier."""
    net = VideoResNet(BasicBlock, [Conv2Plus1D] * 4, [3, 4, 6, 3], R2Plus1dStem)
    net.fc = nn.Linear(net.fc.in_features, num_classes)
    net.layer2[0].conv2[0] = Conv2Plus1D(128, 128, 288)
    net.layer3[0].conv2[0] = Conv2Plus1D(256, 256, 576)
    net.layer4[0].conv2[0] = Conv2Plus1D(512, 512, 1152)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm3d):
            m.eps, m.momentum = 1e-3, 0.9
    return net


def num_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_r2plus1d_18_torchvision_parity():
    torch.manual_seed(0)
    reference = r2plus1d_18(weights=None)
    randomise_bn(reference, seed=1)
    reference.eval()
    cfg = Config.fromfile(str(R34_BASE)).model.backbone
    cfg.update(depth=18, caffe2_midplanes=False, norm_eps=1e-5, norm_momentum=0.1)
    backbone = MODELS.build(cfg)
    state = {k: v for k, v in reference.state_dict().items() if not k.startswith('fc.')}
    result = backbone.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    backbone.eval()

    clip = torch.randn(2, 3, 8, 64, 64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        x = reference.stem(clip)
        for name in ('layer1', 'layer2', 'layer3', 'layer4'):
            x = getattr(reference, name)(x)
        ours = backbone(clip)
        ref_logits = reference(clip)
    diff = (ours - x).abs().max().item()
    print(f'r2plus1d_18: torchvision vs posezoo features {tuple(x.shape)}, '
          f'max abs diff {diff:.3e}; '
          f'parameters: torchvision {num_params(reference):,} (with fc), posezoo backbone '
          f'{num_params(backbone):,}')
    assert ours.shape == (2, 512, 1, 4, 4)
    torch.testing.assert_close(ours, x, rtol=0, atol=0)
    # torchvision's own head on posezoo's features gives torchvision's logits
    torch.testing.assert_close(reference.fc(ours.mean((2, 3, 4))), ref_logits, rtol=0, atol=0)


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_r2plus1d_34_ig65m_layout_and_7x7_map(tmp_path):
    torch.manual_seed(0)
    reference = ig65m_reference_r2plus1d_34()
    src = tmp_path / 'r2plus1d_34_ig65m.pth'
    torch.save(reference.state_dict(), src)  # as published: a plain state dict
    dst = tmp_path / 'posezoo_r2plus1d_34.pth'
    n = ig65m2posezoo.convert(str(src), str(dst))
    assert n == len(reference.state_dict()) - 2  # fc.weight, fc.bias dropped

    model = MODELS.build(Config.fromfile(str(R34_BASE)).model)
    converted = torch.load(dst, map_location='cpu', weights_only=True)['state_dict']
    result = model.load_state_dict(converted, strict=False)
    assert not result.unexpected_keys
    assert all(k.startswith('cls_head.') for k in result.missing_keys), result.missing_keys
    # and through the backbone's own `pretrained` (strict)
    cfg = Config.fromfile(str(R34_BASE)).model.backbone
    cfg.pretrained = str(dst)
    backbone = MODELS.build(cfg)
    backbone.init_weights()
    for key, value in reference.state_dict().items():
        if not key.startswith('fc.'):
            assert torch.equal(backbone.state_dict()[key], value), key
    print(f'R(2+1)D-34 (IG65M layout): {num_params(reference):,} parameters with the 359-class fc, '
          f'{num_params(backbone):,} in the posezoo backbone, {n} tensors converted; '
          f'BERT head {num_params(model.cls_head):,}')
    assert num_params(backbone) == num_params(reference) - num_params(reference.fc)

    with pytest.raises(KeyError, match='layout'):
        ig65m2posezoo.convert_state_dict({'conv1.weight': torch.zeros(1)})

    backbone.eval()
    with torch.no_grad():
        feat = backbone(torch.randn(1, 3, 8, 112, 112))
    print(f'112 px, 8 frames -> {tuple(feat.shape)}')
    assert feat.shape == (1, 512, 1, 7, 7)
