"""The official Zero-DCE ``Epoch99.pth`` by URL (a loopback server stands for raw.githubusercontent):
the official outputs are reproduced, the file is cached and hash-checked."""
import time

import cv2
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from weights_server import cached_files, loopback  # noqa: F401  (fixture)

from posezoo.weights import WeightsDownloadError
from posezoo.weights.download import file_sha256

from darkvideo_helpers import CONFIGS, zerodce_checkpoint

DARK_VIDEO_BASE = CONFIGS / '_base_' / 'datasets' / 'dark-video_64x112x112.py'


def load_rgb(path: str) -> torch.Tensor:
    """A PNG as a ``(1, 3, H, W)`` float32 RGB tensor in [0, 1] (as the official test reads it)."""
    img = cv2.imread(path, cv2.IMREAD_COLOR)[:, :, ::-1].astype(np.float32) / 255.0
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None]


def _zerodce(url: str) -> torch.nn.Module:
    model = MODELS.build(dict(type='ZeroDCE', checkpoint=url))
    model.init_weights()
    return model.eval()


def _serve_official(loopback) -> str:  # noqa: F811
    """``loopback``'s URL of the official file, with the published config's sha256."""
    (loopback.folder / 'Epoch99.pth').write_bytes(open(zerodce_checkpoint(), 'rb').read())
    published = Config.fromfile(str(DARK_VIDEO_BASE)).zerodce.checkpoint
    assert published.startswith('https://raw.githubusercontent.com/Li-Chongyi/Zero-DCE/')
    return loopback.url('Epoch99.pth') + '#' + published.split('#', 1)[1]


def test_official_outputs_through_the_url(tmp_path, loopback):  # noqa: F811
    url = _serve_official(loopback)
    refs = np.load(zerodce_checkpoint().replace('Epoch99.pth', 'reference_outputs.npz'))
    model = _zerodce(url)
    worst = 0.0
    for stem in sorted(refs.files):
        with torch.no_grad():
            got = model(load_rgb(zerodce_checkpoint().replace('Epoch99.pth', f'{stem}.png')))
        worst = max(worst, float(np.abs(got[0].permute(1, 2, 0).numpy() - refs[stem]).max()))
    print(f'Zero-DCE through the URL: worst max abs error {worst:.3e} over {len(refs.files)} images')
    assert worst <= 1e-4
    _zerodce(url)  # cached: no second request
    assert loopback.requests == ['/Epoch99.pth']
    assert cached_files(tmp_path) == ['hub/checkpoints/Epoch99.pth']
    offline = _zerodce(zerodce_checkpoint())
    for a, b in zip(model.state_dict().values(), offline.state_dict().values()):
        assert torch.equal(a, b)


def test_published_hash_is_the_official_file():
    published = Config.fromfile(str(DARK_VIDEO_BASE)).zerodce.checkpoint
    assert published.endswith('#sha256=' + file_sha256(zerodce_checkpoint()))


def test_wrong_hash_and_stopped_server(tmp_path, loopback):  # noqa: F811
    url = _serve_official(loopback).split('#')[0] + '#sha256=' + '0' * 64
    with pytest.raises(WeightsDownloadError, match='0000000000.*put the file at'):
        _zerodce(url)
    assert cached_files(tmp_path) == []
    loopback.stop()
    start = time.monotonic()
    with pytest.raises(WeightsDownloadError, match='download failed') as err:
        _zerodce(url)
    assert time.monotonic() - start < 10 and url.split('#')[0] in str(err.value)
    assert cached_files(tmp_path) == []
