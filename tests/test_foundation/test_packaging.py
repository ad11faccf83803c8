"""setup.py packages configs, tools, demo and model-index.yml under posezoo/.mim for mim."""
import shutil
import sys
import zipfile

from .conftest import REPO_ROOT, run_tool


def test_editable_install_links_mim_files():
    import posezoo
    mim_dir = REPO_ROOT / 'posezoo' / '.mim'
    assert posezoo.__file__.startswith(str(REPO_ROOT / 'posezoo'))
    for name in ('configs', 'tools', 'demo', 'model-index.yml'):
        assert (mim_dir / name).exists(), name
        assert (mim_dir / name).resolve() == (REPO_ROOT / name).resolve()


def test_wheel_carries_mim_files(tmp_path):
    # Build from a copy: a wheel build replaces the editable install's links by copies.
    source = tmp_path / 'src'
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(
        '.venv', '.git', 'work_dirs', '.mim', '__pycache__', '*.egg-info', 'build'))
    run_tool([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-w',
              str(tmp_path), str(source)], timeout=600)
    wheel = next(tmp_path.glob('posezoo-*.whl'))
    names = zipfile.ZipFile(wheel).namelist()
    assert 'posezoo/.mim/model-index.yml' in names
    assert 'posezoo/.mim/tools/train.py' in names
    assert any(n.startswith('posezoo/.mim/configs/body_2d_keypoint/bkpose/') for n in names)
    assert 'posezoo/apis/inference.py' in names
    assert not any('__pycache__' in n for n in names)
