"""An IG65M-layout R(2+1)D file (the ig65m-pytorch release: a plain torchvision ``VideoResNet``
state dict with ``fc``) by URL: converted at load into ``TorchvisionR2Plus1d``, equal to the
offline conversion, cached, hash-checked. Depth 10 instead of 34 keeps it small; the keys follow
the same torchvision pattern (``stem.*``, ``layerN.M.conv1.0.0.weight``, ``fc.*``)."""
import time

import pytest
import torch
from mmaction.registry import MODELS
from weights_server import cached_files, load_tool, loopback  # noqa: F401  (fixture)

from posezoo.weights import WeightsDownloadError
from posezoo.weights.download import file_sha256

ig65m2posezoo = load_tool('model_converters/ig65m2posezoo.py')


def _backbone(pretrained=None) -> torch.nn.Module:
    model = MODELS.build(dict(type='TorchvisionR2Plus1d', depth=10, caffe2_midplanes=True,
                              pretrained=pretrained))
    model.init_weights()
    return model


def _ig65m_file(folder) -> str:
    """A release-style file: torchvision keys, ``fc`` of 359 IG65M classes, random values."""
    gen = torch.Generator().manual_seed(0)
    state = {k: (torch.rand(v.shape, generator=gen) if v.is_floating_point() else v)
             for k, v in _backbone().state_dict().items()}
    state['fc.weight'], state['fc.bias'] = torch.rand(359, 512), torch.rand(359)
    tmp = folder / 'tmp.pth'
    torch.save(state, tmp)
    name = f'r2plus1d_10_clip8_ig65m_from_scratch-{file_sha256(str(tmp))[:8]}.pth'
    tmp.rename(folder / name)
    return name


def test_url_equals_offline_conversion(tmp_path, loopback):  # noqa: F811
    name = _ig65m_file(loopback.folder)
    offline = tmp_path / 'offline.pth'
    ig65m2posezoo.convert(str(loopback.folder / name), str(offline))
    expected = _backbone(str(offline)).state_dict()
    for _ in range(2):
        got = _backbone(loopback.url(name)).state_dict()
        assert got.keys() == expected.keys()
        assert all(torch.equal(got[k], expected[k]) for k in got)
    assert loopback.requests == [f'/{name}']
    assert cached_files(tmp_path) == [f'hub/checkpoints/{name}']


def test_wrong_hash_and_stopped_server(tmp_path, loopback):  # noqa: F811
    name = _ig65m_file(loopback.folder)
    bad = 'r2plus1d_10_clip8_ig65m_from_scratch-00000000.pth'
    (loopback.folder / name).rename(loopback.folder / bad)
    with pytest.raises(WeightsDownloadError, match='expected sha256 00000000'):
        _backbone(loopback.url(bad))
    assert cached_files(tmp_path) == []
    loopback.stop()
    start = time.monotonic()
    with pytest.raises(WeightsDownloadError, match='download failed') as err:
        _backbone(loopback.url(bad))
    assert time.monotonic() - start < 10 and loopback.url(bad) in str(err.value)
