"""The checkpoint converter tools/model_converters/higherhrnet2posezoo.py."""
import importlib.util
from pathlib import Path

import pytest
import torch

from posezoo.pose.higherhrnet import CheckpointLayoutError, convert_state_dict


@pytest.fixture(scope='module')
def tool(repo_root: Path):
    path = repo_root / 'tools' / 'model_converters' / 'higherhrnet2posezoo.py'
    spec = importlib.util.spec_from_file_location('higherhrnet2posezoo', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_converts_and_reports_unmapped(tool, hrnet_fixture: Path, tmp_path: Path,
                                           capsys) -> None:
    official = torch.load(hrnet_fixture / 'weights.pth', map_location='cpu', weights_only=True)
    official['module_extra.weight'] = torch.zeros(1)
    src = tmp_path / 'official.pth'
    torch.save({f'module.{k}': v for k, v in official.items()}, src)  # DataParallel prefix
    dst = tmp_path / 'out' / 'posezoo.pth'
    assert tool.main([str(src), str(dst)]) == 0
    out = capsys.readouterr().out
    assert 'official layout' in out and 'unmapped key (left out): module_extra.weight' in out
    converted = torch.load(dst, map_location='cpu', weights_only=True)
    assert converted['meta']['source_layout'] == 'official'
    keys = set(converted['state_dict'])
    assert len(keys) == len(official) - 1
    assert 'head.final_layers.1.weight' in keys
    assert 'backbone.stage4.0.fuse_layers.0.1.0.weight' in keys
    assert all(k.startswith(('backbone.', 'head.')) for k in keys)


def test_refuses_text_file(tool, tmp_path: Path, capsys) -> None:
    src = tmp_path / 'notes.pth'
    src.write_text('not a checkpoint')
    assert tool.main([str(src), str(tmp_path / 'x.pth')]) == 1
    err = capsys.readouterr().err
    assert str(src) in err and 'cannot be read' in err
    assert not (tmp_path / 'x.pth').exists()


def test_refuses_other_models() -> None:
    resnet = {'conv1.weight': torch.zeros(64, 3, 7, 7), 'fc.weight': torch.zeros(10, 512)}
    with pytest.raises(CheckpointLayoutError, match='resnet.pth: not a HigherHRNet'):
        convert_state_dict(resnet, 'resnet.pth')
    with pytest.raises(CheckpointLayoutError, match='no tensors'):
        convert_state_dict({'epoch': 3}, 'empty.pth')
    with pytest.raises(CheckpointLayoutError, match='expected a state dict'):
        convert_state_dict([1, 2], 'list.pth')


def test_refuses_single_resolution_ae(hrnet_fixture: Path) -> None:
    official = torch.load(hrnet_fixture / 'weights.pth', map_location='cpu', weights_only=True)
    single = {k: v for k, v in official.items()
              if not k.startswith(('final_layers.1', 'deconv_layers'))}
    with pytest.raises(CheckpointLayoutError, match='single-resolution'):
        convert_state_dict(single, 'ae.pth')
    wrong_tags = dict(official)
    wrong_tags['final_layers.0.weight'] = torch.zeros(20, 8, 1, 1)
    with pytest.raises(CheckpointLayoutError, match='predicts 20 maps'):
        convert_state_dict(wrong_tags, 'bad.pth')


def test_forced_layout_mismatch(tool, hrnet_fixture: Path, tmp_path: Path, capsys) -> None:
    dst = tmp_path / 'x.pth'
    assert tool.main([str(hrnet_fixture / 'weights.pth'), str(dst), '--layout', 'mmpose0x']) == 1
    assert 'the official layout' in capsys.readouterr().err
    assert not dst.exists()
