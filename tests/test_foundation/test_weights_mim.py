"""``mim download posezoo --config NAME`` reads the metafile's ``Weights:``: the same file name
as posezoo's cache (a file already there is not downloaded again), and the config is dumped."""
import sys
from pathlib import Path

from .conftest import run_tool

MIM = str(Path(sys.executable).parent / 'mim')
NAME = 'higherhrnet_hrnet-w32_8xb24-300e_coco-512x512'
FILE = 'higher_hrnet32_coco_512x512-8ae85183_20200713.pth'


def test_mim_download_finds_the_published_file(tmp_path):
    (tmp_path / FILE).write_bytes(b'placed by hand')
    proc = run_tool([MIM, 'download', 'posezoo', '--config', NAME, '--dest', str(tmp_path)],
                    timeout=300)
    assert f'{FILE} exists in {tmp_path}' in proc.stdout
    assert (tmp_path / FILE).read_bytes() == b'placed by hand'
    assert (tmp_path / f'{NAME}.py').is_file()
