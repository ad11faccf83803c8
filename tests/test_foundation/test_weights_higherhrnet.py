"""HigherHRNet weights by URL, as published: official and MMPose 0.x layouts from a loopback
server, converted at load, cached, hash-verified; a stopped server fails naming the URL."""
import json
import time
from pathlib import Path

import pytest
import torch
from weights_server import cached_files, load_tool, loopback  # noqa: F401  (fixture)

import posezoo  # noqa: F401  (registers the weight schemes)
from posezoo.apis import CheckpointMismatchError, init_model
from posezoo.pose.higherhrnet.checkpoint import model_cfg_from_official
from posezoo.weights import WeightsDownloadError
from posezoo.weights.download import file_sha256
from posezoo.weights.model_index import NoPublishedWeightsError

from .conftest import REPO_ROOT
from shared_data import require_data

convert = load_tool('model_converters/higherhrnet2posezoo.py').convert

HRNET_CONFIG = REPO_ROOT / 'configs/body_2d_keypoint/higherhrnet/coco/' \
    'higherhrnet_hrnet-w32_8xb24-300e_coco-512x512.py'


@pytest.fixture(scope='module')
def official(shared_dir) -> Path:
    """The official-implementation fixture: a HigherHRNet of width 8 in the official layout."""
    path = shared_dir / 'fixtures/higherhrnet-official'
    require_data(path / 'weights.pth', 'official HigherHRNet fixture')
    return path


def _official_keys(official: Path) -> dict:
    """``keys.txt``: the official layout (names and shapes) of the fixture's network."""
    rows = [line.rsplit(' (', 1) for line in (official / 'keys.txt').read_text().splitlines()]
    return {name: tuple(int(d) for d in shape.rstrip(')').split(',') if d.strip())
            for name, shape in rows}


def tiny_config(official: Path, tmp_path: Path) -> Path:
    """The W32-512 config with the fixture's widths (from its official config.json)."""
    ours = model_cfg_from_official(json.loads((official / 'config.json').read_text()))
    path = tmp_path / 'higherhrnet_tiny.py'
    head = {k: v for k, v in ours['head'].items() if k != 'type'}
    path.write_text(f"_base_ = ['{HRNET_CONFIG}']\n"
                    f"model = dict(backbone=dict(extra={ours['backbone']['extra']!r}, "
                    f"init_cfg=None), head=dict(**{head!r}))\n")
    return path


def _outputs(model: torch.nn.Module) -> list:
    torch.manual_seed(0)
    with torch.no_grad():
        return model.head.forward(model.extract_feat(torch.rand(1, 3, 64, 64)))


def _assert_same(a: torch.nn.Module, b: torch.nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key
    for oa, ob in zip(_outputs(a), _outputs(b)):
        assert torch.equal(oa, ob)


def _mmpose0x_file(official: Path, folder: Path) -> Path:
    """MMPose 0.x layout (``backbone.*``, ``keypoint_head.*`` under ``state_dict``), random values."""
    state = torch.load(official / 'weights.pth', map_location='cpu', weights_only=True)
    gen = torch.Generator().manual_seed(0)
    out = {}
    for key, value in state.items():
        prefix = 'keypoint_head.' if key.startswith(('final_layers.', 'deconv_layers.')) \
            else 'backbone.'
        out[prefix + key] = (torch.rand(value.shape, generator=gen) + 0.5 if value.is_floating_point()
                             else value.clone())
    tmp = folder / 'tmp.pth'
    torch.save(dict(state_dict=out, meta=dict(epoch=300)), tmp)
    path = folder / f'higher_hrnet_tiny_coco-{file_sha256(str(tmp))[:8]}.pth'
    tmp.rename(path)
    return path


def _official_file(official: Path, folder: Path) -> Path:
    data = (official / 'weights.pth').read_bytes()
    path = folder / 'pose_higher_hrnet_tiny.pth'
    path.write_bytes(data)
    return path


def test_fixture_is_the_official_layout(official):
    """The served file has exactly the keys and shapes listed for the official network."""
    state = torch.load(official / 'weights.pth', map_location='cpu', weights_only=True)
    assert {k: tuple(v.shape) for k, v in state.items()} == _official_keys(official)


@pytest.mark.parametrize('layout', ['official', 'mmpose0x'])
def test_url_equals_offline_conversion(official, tmp_path, loopback, layout):  # noqa: F811
    folder = loopback.folder
    served = _official_file(official, folder) if layout == 'official' \
        else _mmpose0x_file(official, folder)
    url = loopback.url(served.name) + ('#sha256=' + file_sha256(str(served))
                                       if layout == 'official' else '')
    config = str(tiny_config(official, tmp_path))
    offline = tmp_path / 'offline.pth'
    convert(str(served), str(offline))
    expected = init_model(config, str(offline))
    got = init_model(config, url)
    _assert_same(got, expected)
    assert loopback.requests == [f'/{served.name}']
    again = init_model(config, url)  # cached: no second request
    _assert_same(again, expected)
    assert loopback.requests == [f'/{served.name}']
    assert cached_files(tmp_path) == [f'hub/checkpoints/{served.name}']


def test_wrong_hash_fails_and_leaves_no_file(official, tmp_path, loopback):  # noqa: F811
    served = _official_file(official, loopback.folder)
    bad = served.with_name('pose_higher_hrnet_tiny-deadbeef.pth')
    served.rename(bad)
    with pytest.raises(WeightsDownloadError, match=r'sha256.*deadbeef.*put the file at') as err:
        init_model(str(tiny_config(official, tmp_path)), loopback.url(bad.name))
    assert loopback.url(bad.name) in str(err.value)
    assert cached_files(tmp_path) == []


def test_stopped_server_fails_in_time_naming_the_url(official, tmp_path, loopback):  # noqa: F811
    url = loopback.url(_official_file(official, loopback.folder).name)
    loopback.stop()
    start = time.monotonic()
    with pytest.raises(WeightsDownloadError, match='download failed') as err:
        init_model(str(tiny_config(official, tmp_path)), url)
    assert time.monotonic() - start < 10
    assert url in str(err.value) and 'hub/checkpoints/pose_higher_hrnet_tiny.pth' in str(err.value)
    assert cached_files(tmp_path) == []


def test_unknown_layout_keeps_the_mismatch_error(official, tmp_path, loopback):  # noqa: F811
    state = {'features.0.weight': torch.zeros(3)}
    torch.save(state, loopback.folder / 'other.pth')
    with pytest.raises(CheckpointMismatchError, match='does not match the model'):
        init_model(str(tiny_config(official, tmp_path)), loopback.url('other.pth'))


def test_by_name_through_a_model_index(official, tmp_path, loopback, monkeypatch):  # noqa: F811
    served = _mmpose0x_file(official, loopback.folder)
    config = tiny_config(official, tmp_path)
    (tmp_path / 'tiny.yml').write_text(
        'Models:\n- Name: higherhrnet_tiny\n  Config: higherhrnet_tiny.py\n'
        f'  Weights: https://example.invalid/mmpose/{served.name}\n'
        '- Name: higherhrnet_untrained\n  Config: higherhrnet_tiny.py\n  Weights: null\n')
    (tmp_path / 'model-index.yml').write_text('Import:\n- tiny.yml\n')
    monkeypatch.setenv('POSEZOO_EXTRA_MODEL_INDEX', str(tmp_path / 'model-index.yml'))
    monkeypatch.setenv('POSEZOO_WEIGHTS_BASE_URL', loopback.url('').rstrip('/'))
    offline = tmp_path / 'offline.pth'
    convert(str(served), str(offline))
    _assert_same(init_model('higherhrnet_tiny'), init_model(str(config), str(offline)))
    with pytest.raises(NoPublishedWeightsError, match=r'python tools/train\.py .*higherhrnet_tiny\.py'):
        init_model('higherhrnet_untrained')


def test_zoo_model_without_weights_by_name_names_its_training():
    with pytest.raises(NoPublishedWeightsError, match=r'tools/train\.py configs/body_2d_keypoint/bkpose'):
        init_model('bkpose_1xb4-quickstart_coco-sample-256x256')


def test_no_checkpoint_warns_random_weights(official, tmp_path):
    with pytest.warns(UserWarning, match='weights are random'):
        init_model(str(tiny_config(official, tmp_path)))


def test_init_cfg_pretrained_url_converts_the_backbone(official, tmp_path, loopback):  # noqa: F811
    """``init_cfg=dict(type='Pretrained', checkpoint=URL, prefix='backbone.')`` on an MMPose 0.x
    file: MMEngine's initialiser reads it through posezoo's scheme, converted."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    served = _mmpose0x_file(official, loopback.folder)
    cfg = Config.fromfile(str(tiny_config(official, tmp_path)))
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=loopback.url(served.name),
                                       prefix='backbone.')
    init_default_scope('mmpose')
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    offline = tmp_path / 'offline.pth'
    convert(str(served), str(offline))
    expected = torch.load(offline, map_location='cpu', weights_only=True)['state_dict']
    got = backbone.state_dict()
    assert got.keys() == {k[len('backbone.'):] for k in expected if k.startswith('backbone.')}
    assert all(torch.equal(v, expected['backbone.' + k]) for k, v in got.items())
