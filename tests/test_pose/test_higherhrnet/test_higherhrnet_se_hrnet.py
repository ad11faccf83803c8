"""SE-HRNet: SE off is exactly MMPose's HRNet; SE stem and every-block options; SE-HigherHRNet
initialised from a converted HigherHRNet checkpoint."""
import json
from pathlib import Path

import torch
from mmpose.models.backbones import HRNet
from mmpose.registry import MODELS

import posezoo.pose  # noqa: F401
from posezoo.pose.higherhrnet import SEHRNet, convert_state_dict, model_cfg_from_official

EXTRA = dict(
    stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(1, ),
                num_channels=(16, )),
    stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(1, 1),
                num_channels=(8, 16)),
    stage3=dict(num_modules=1, num_branches=3, block='BASIC', num_blocks=(1, 1, 1),
                num_channels=(8, 16, 32)),
    stage4=dict(num_modules=1, num_branches=4, block='BASIC', num_blocks=(1, 1, 1, 1),
                num_channels=(8, 16, 32, 64), multiscale_output=True))


def test_se_off_is_mmpose_hrnet() -> None:
    torch.manual_seed(0)
    reference, se_off = HRNet(EXTRA), SEHRNet(EXTRA, se_stem=None)
    reference.eval()
    se_off.eval()
    assert list(se_off.state_dict()) == list(reference.state_dict())
    se_off.load_state_dict(reference.state_dict())
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(se_off(x), reference(x), strict=True):
            assert torch.equal(a, b)


def test_se_stem_adds_only_stem_se() -> None:
    se = SEHRNet(EXTRA, se_stem=dict(reduction=16))
    se.eval()
    extra_keys = set(se.state_dict()) - set(HRNet(EXTRA).state_dict())
    assert extra_keys == {'stem_se.conv1.conv.weight', 'stem_se.conv1.conv.bias',
                          'stem_se.conv2.conv.weight', 'stem_se.conv2.conv.bias'}
    assert se.stem_se.conv1.conv.weight.shape == (4, 64, 1, 1)  # 64 / 16
    outputs = se(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape) for o in outputs] == [(1, 8, 16, 16), (1, 16, 8, 8), (1, 32, 4, 4),
                                                 (1, 64, 2, 2)]
    # reduction is configurable; the SE stem changes the output and receives gradients
    assert SEHRNet(EXTRA, se_stem=dict(reduction=8)).stem_se.conv1.conv.weight.shape[0] == 8
    se.train()
    sum(o.sum() for o in se(torch.randn(2, 3, 64, 64))).backward()
    assert se.stem_se.conv1.conv.weight.grad.abs().sum() > 0


def test_se_stem_position() -> None:
    """SE sits between norm1/ReLU and conv2: conv2 receives SE(relu(bn1(conv1(x))))."""
    se = SEHRNet(EXTRA)
    se.eval()
    seen = {}
    se.conv2.register_forward_pre_hook(lambda m, args: seen.setdefault('in', args[0]))
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        se(x)
        expected = se.stem_se(torch.relu(se.norm1(se.conv1(x))))
    assert torch.allclose(seen['in'], expected)


def test_se_every_block() -> None:
    se = SEHRNet(EXTRA, se_stem=None, se_blocks=dict(reduction=4))
    plain = set(HRNet(EXTRA).state_dict())
    extra_keys = set(se.state_dict()) - plain
    assert plain <= set(se.state_dict())
    assert all('.se.conv' in k for k in extra_keys)
    block_prefixes = {k.split('.se.')[0] for k in extra_keys}
    # 1 bottleneck + 2 + 3 + 4 basic blocks
    assert len(block_prefixes) == 10 and 'layer1.0' in block_prefixes
    assert 'stage4.0.branches.3.0' in block_prefixes
    assert type(se.stage2[0].branches[0][0]).__name__ == 'SEBasicBlock'
    assert [tuple(o.shape) for o in se(torch.randn(1, 3, 64, 64))][0] == (1, 8, 16, 16)
    # the class table of MMPose's HRNet is untouched
    assert HRNet.blocks_dict['BASIC'].__name__ == 'BasicBlock'


def test_se_higherhrnet_from_converted_checkpoint(hrnet_fixture: Path) -> None:
    cfg = model_cfg_from_official(json.loads((hrnet_fixture / 'config.json').read_text()))
    cfg['backbone'] = dict(cfg['backbone'], type='SEHRNet', se_stem=dict(reduction=16))
    model = MODELS.build(cfg)
    official = torch.load(hrnet_fixture / 'weights.pth', map_location='cpu', weights_only=True)
    state_dict, _, _ = convert_state_dict(official)
    result = model.load_state_dict(state_dict, strict=False)
    assert result.unexpected_keys == []
    assert sorted(result.missing_keys) == [
        'backbone.stem_se.conv1.conv.bias', 'backbone.stem_se.conv1.conv.weight',
        'backbone.stem_se.conv2.conv.bias', 'backbone.stem_se.conv2.conv.weight']
