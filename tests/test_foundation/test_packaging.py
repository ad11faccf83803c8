"""setup.py packages configs, tools, demo, data and model-index.yml under posezoo/.mim for mim;
a wheel installed non-editable works from any directory (issue 26)."""
import glob
import json
import os
import shutil
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, run_tool


def test_editable_install_links_mim_files():
    import posezoo
    mim_dir = REPO_ROOT / 'posezoo' / '.mim'
    assert posezoo.__file__.startswith(str(REPO_ROOT / 'posezoo'))
    for name in ('configs', 'tools', 'demo', 'data', 'model-index.yml'):
        assert (mim_dir / name).exists(), name
        assert (mim_dir / name).resolve() == (REPO_ROOT / name).resolve()


def test_editable_install_uninstalls_cleanly():
    """tools/install.sh: site-packages/posezoo is no link to the checkout, only the .mim link
    that mim looks up, and the install's RECORD lists it (pip uninstall removes it)."""
    site = Path(sysconfig.get_paths()['purelib'])
    assert not (site / 'posezoo').is_symlink(), 'run tools/install.sh (an earlier install linked the package)'
    assert (site / 'posezoo' / '.mim').resolve() == (REPO_ROOT / 'posezoo' / '.mim').resolve()
    assert not (site / 'posezoo' / '__init__.py').exists()
    record = next(site.glob('posezoo-*.dist-info')) / 'RECORD'
    assert 'posezoo/.mim,,' in record.read_text().splitlines()


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


QUICKSTART = 'bkpose_1xb4-quickstart_coco-sample-256x256'
BKPOSE = f'body_2d_keypoint/bkpose/coco/{QUICKSTART}.py'


def _build_dists(out: Path) -> dict:
    """The wheel and sdist of a copy of the checkout, and a wheel built from that sdist."""
    source = out / 'src'
    shutil.copytree(REPO_ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        '.venv', '.git', 'work_dirs', '.mim', '__pycache__', '*.egg-info', 'build', 'dist',
        '.ruff_cache', '.pytest_cache'))
    pip = [sys.executable, '-m', 'pip', '--isolated', 'wheel', '--no-deps', '--no-build-isolation']
    run_tool(pip + ['-w', str(out / 'wheel'), str(source)], timeout=600)
    run_tool([sys.executable, 'setup.py', '-q', 'sdist', '-d', str(out / 'sdist')], cwd=source,
             timeout=600)
    sdist = next((out / 'sdist').glob('posezoo-*.tar.gz'))
    with tarfile.open(sdist) as tar:
        tar.extractall(out / 'unpacked', filter='data')
    run_tool(pip + ['-w', str(out / 'wheel_from_sdist'), str(next((out / 'unpacked').iterdir()))],
             timeout=600)
    return dict(wheel=next((out / 'wheel').glob('posezoo-*.whl')), sdist=sdist,
                wheel_from_sdist=next((out / 'wheel_from_sdist').glob('posezoo-*.whl')))


def _layered_venv(venv: Path) -> Path:
    """A fresh virtual environment whose .pth adds this environment's site-packages (the stack),
    without its .pth files (so not this checkout's editable posezoo); its python."""
    run_tool([sys.executable, '-m', 'venv', '--without-pip', str(venv)])
    python = venv / 'bin' / 'python'
    site = run_tool([str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']
                    ).stdout.strip()
    Path(site, 'zz_posezoo_stack.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    return python


@pytest.mark.slow  # builds three distributions, installs one, trains one iteration (~2-3 minutes)
def test_wheel_works_outside_the_checkout(tmp_path):
    """Wheel, sdist and wheel-from-sdist carry the same files; the wheel installed non-editable
    into a fresh environment serves configs by package path and model name, mim search / train,
    a demo through its console script, from a directory that is not the checkout; it declares
    nothing the installed stack does not satisfy, and uninstalls without leftovers."""
    dists = _build_dists(tmp_path)
    names = set(zipfile.ZipFile(dists['wheel']).namelist())
    assert names == set(zipfile.ZipFile(dists['wheel_from_sdist']).namelist()), \
        sorted(names ^ set(zipfile.ZipFile(dists['wheel_from_sdist']).namelist()))[:20]
    assert 'posezoo/apis/inference.py' in names and not any('__pycache__' in n for n in names)
    for name in ('tools/analysis/bench/columns.yml', 'tools/train.py', 'configs/body_2d_keypoint/bkpose/README.md',
                 'data/coco_sample/annotations/person_keypoints_train2017.json',
                 f'models/{QUICKSTART}', 'demo/pose_demo.py', 'model-index.yml'):
        assert f'posezoo/.mim/{name}' in names, name
    readmes = {str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / 'configs').rglob('README.md')}
    sdist_names = {n.split('/', 1)[1] for n in tarfile.open(dists['sdist']).getnames() if '/' in n}
    assert readmes <= sdist_names, readmes - sdist_names

    python = _layered_venv(tmp_path / 'venv')
    pip = [str(python), '-m', 'pip', '--isolated', '--disable-pip-version-check']
    report = tmp_path / 'report.json'
    run_tool(pip + ['install', '--dry-run', '--no-index', '--report', str(report),
                    str(dists['wheel'])], timeout=300)  # fails if the stack misses a requirement
    installs = [i['metadata']['name'] for i in json.loads(report.read_text())['install']]
    assert installs == ['posezoo'], installs  # nothing of the stack is replaced
    run_tool(pip + ['install', '--no-deps', '--no-index', str(dists['wheel'])], timeout=300)

    run_dir = tmp_path / 'elsewhere'
    run_dir.mkdir()
    env = {'PYTHONPATH': '', 'POSEZOO_SHARED': ''}
    script = f"""
import posezoo, cv2
from posezoo.apis import inference, init_model
from posezoo.utils.paths import sample_image
assert '/venv/' in posezoo.__file__, posezoo.__file__
model = init_model('posezoo::{BKPOSE}')
result = inference(model, str(sample_image()))
print('people', len(result.pred_instances.keypoints), 'from', cv2.imread(str(sample_image())).shape)
"""
    proc = run_tool([str(python), '-c', script], cwd=run_dir, env=env, timeout=600)
    assert 'people ' in proc.stdout and '(640, 424, 3)' in proc.stdout, proc.stdout
    mim = [str(python), '-m', 'mim']
    proc = run_tool(mim + ['search', 'posezoo'], cwd=run_dir, env=env)
    assert f'config id: {QUICKSTART}' in proc.stdout
    work = run_dir / 'work'
    run_tool(mim + ['train', 'posezoo', QUICKSTART, '--work-dir', str(work), '--cfg-options',
                    'train_cfg.max_epochs=1', 'train_cfg.val_interval=2',
                    'train_dataloader.dataset.indices=4', 'default_hooks.checkpoint.interval=1'],
             cwd=run_dir, env=env, timeout=600)  # 4 images, batch 4: one iteration
    assert (work / 'epoch_1.pth').is_file()
    by_name = (f"from posezoo.apis import inference, init_model\n"
               f"from posezoo.utils.paths import sample_image\n"
               f"model = init_model('{QUICKSTART}', '{work / 'epoch_1.pth'}')\n"
               f"print('by name', model.cfg.filename, len(inference(model, str(sample_image()))"
               f".pred_instances.keypoints))\n")
    proc = run_tool([str(python), '-c', by_name], cwd=run_dir, env=env, timeout=600)
    assert f'/venv/lib/python3.11/site-packages/posezoo/.mim/configs/body_2d_keypoint/bkpose/coco/' \
           f'{QUICKSTART}.py' in proc.stdout, proc.stdout
    demo = python.parent / 'posezoo-demo'
    proc = run_tool([str(demo), 'pose_demo', QUICKSTART, str(work / 'epoch_1.pth'),
                     'data/none.jpg'], cwd=run_dir, env=env, check=False)
    assert proc.returncode != 0 and 'image file not found: data/none.jpg' in proc.stderr
    image = run_tool([str(python), '-c', 'from posezoo.utils.paths import sample_image; '
                      'print(sample_image())'], cwd=run_dir, env=env).stdout.strip()
    proc = run_tool([str(demo), 'pose_demo', QUICKSTART, str(work / 'epoch_1.pth'), image,
                     '--out-file', 'vis.jpg'], cwd=run_dir, env=env)
    assert (run_dir / 'vis.jpg').is_file() and 'people found in' in proc.stdout

    site = Path(image).parents[4]  # site-packages/posezoo/.mim/data/coco_sample/val2017
    run_tool(pip + ['uninstall', '-y', 'posezoo'], timeout=300)
    assert not (site / 'posezoo').exists() and not demo.exists()
