"""Every published weights file that posezoo's metafiles and configs name can be verified: its
sha256 is in the file name (torch hub's / OpenMMLab's convention) or given next to the URL."""
import socket
import time

import pytest

from posezoo.apis.task import metafile_entries
from posezoo.weights import WeightsDownloadError
from posezoo.weights.download import cache_path, expected_hash, fetch_weights
from posezoo.weights.model_index import entry_weights


@pytest.mark.parametrize('name,digest', [
    ('higher_hrnet32_coco_512x512-8ae85183_20200713.pth', '8ae85183'),
    ('r2plus1d_34_clip32_ig65m_from_scratch-449a7af9.pth', '449a7af9'),
    ('vit_b_16-c867db91.pth', 'c867db91'),
    ('hrnet_w32-36af842e.pth', '36af842e'),
    ('Epoch99.pth', None),
    ('higher_hrnet32_coco_512x512_20200713.log.json', None),
])
def test_hash_in_file_name(name, digest):
    assert expected_hash(f'https://example.org/a/{name}') == digest


def test_fragment_hash_wins_and_is_not_part_of_the_file_name():
    url = 'https://example.org/Epoch99.pth#sha256=ABC123'
    assert expected_hash(url) == 'abc123'
    assert cache_path(url).endswith('/hub/checkpoints/Epoch99.pth')


def test_every_published_weights_url_is_verifiable():
    published = {name: entry_weights(entry) for name, entry in metafile_entries().items()
                 if entry.get('Weights')}
    assert len(published) >= 4, published  # the HigherHRNet W32-512 / crowd / W32-640 / W48
    for name, url in published.items():
        assert url.startswith('https://') and expected_hash(url), f'{name}: {url}'


def test_a_server_that_never_answers_times_out(tmp_path, monkeypatch):
    """A listening socket that accepts and never answers: the configured timeout bounds the wait."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    monkeypatch.setenv('POSEZOO_DOWNLOAD_TIMEOUT', '1')
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(1)
        url = f'http://127.0.0.1:{silent.getsockname()[1]}/model-abcdef12.pth'
        start = time.monotonic()
        with pytest.raises(WeightsDownloadError, match=r'download failed.*expected sha256 abcdef12'):
            fetch_weights(url)
        assert time.monotonic() - start < 5
    assert not any(p.is_file() for p in tmp_path.rglob('*'))
