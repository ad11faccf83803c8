"""setup.py packages configs, tools, demo and model-index.yml under posezoo/.mim for mim."""
import glob
import os
import shutil
import sys
import zipfile

import pytest

from .conftest import REPO_ROOT, run_tool


def test_editable_install_links_mim_files():
    import posezoo
    mim_dir = REPO_ROOT / 'posezoo' / '.mim'
    assert posezoo.__file__.startswith(str(REPO_ROOT / 'posezoo'))
    for name in ('configs', 'tools', 'demo', 'model-index.yml'):
        assert (mim_dir / name).exists(), name
        assert (mim_dir / name).resolve() == (REPO_ROOT / name).resolve()


@pytest.mark.slow  # builds a wheel of the whole tree
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


def _older_python() -> str:
    """An interpreter older than posezoo's minimum (3.10), or skip naming what was looked for."""
    candidates = [shutil.which(name) for name in ('python3.9', 'python3.8')]
    candidates += sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/3.[89].*/bin/python3')))
    for found in candidates:
        if found and run_tool([found, '-c', 'import sys; assert sys.version_info < (3, 10)'],
                              check=False).returncode == 0:
            return found
    pytest.skip('no Python 3.8 / 3.9 found (PATH, ~/.pyenv/versions) to try the install with')


@pytest.mark.slow  # over 4 s; the fast loop (-m "not slow") stays under 3 minutes
def test_install_on_unsupported_python_says_which_python(tmp_path):
    """``pip install .`` with Python 3.9 stops at once with posezoo's message (not a syntax error
    from an import, not a torch resolution failure)."""
    venv = tmp_path / 'venv39'
    run_tool([_older_python(), '-m', 'venv', str(venv)])
    proc = run_tool([str(venv / 'bin' / 'python'), '-m', 'pip', 'install', '--no-deps',
                     '--no-build-isolation', '--no-index', str(REPO_ROOT)], check=False,
                    timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert 'posezoo requires Python >= 3.10; this is Python 3.' in out, out[-3000:]
