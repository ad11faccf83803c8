"""Where the installed posezoo keeps its configs, metafiles and sample data, and where the
shared test data folder is.

Everything the library reads comes from the installed package: ``posezoo/.mim`` holds
``configs/``, ``tools/``, ``demo/``, ``data/`` (the bundled COCO sample) and
``model-index.yml``; a wheel copies them there, an editable install links them to the checkout.
The shared test data (``coco-mini``, the seeds' sets) comes only from an argument or
``$POSEZOO_SHARED``; a source checkout falls back to the ``shared/`` folder beside it.
"""
import os
from pathlib import Path
from typing import Optional, Union

#: The ``posezoo`` package folder (site-packages, or the checkout for an editable install).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: mim's folder of the package: configs, tools, demo, data and model-index.yml.
MIM_DIR = PACKAGE_DIR / '.mim'
#: The configs of the installed package.
CONFIGS = MIM_DIR / 'configs'
#: The bundled quickstart sample (8 COCO train2017 + 2 val2017 images with keypoints).
SAMPLE_DATA = MIM_DIR / 'data' / 'coco_sample'
#: The folder that holds the package: the checkout for an editable install (developer tools only;
#: for a wheel it is site-packages).
REPO_ROOT = PACKAGE_DIR.parent
#: What :func:`shared_dir` returns when nothing says where the shared data is.
UNSET_SHARED = Path('/POSEZOO_SHARED-is-not-set')


def is_checkout() -> bool:
    """Whether the package is imported from a source checkout (a git work tree)."""
    return (REPO_ROOT / '.git').exists() and (REPO_ROOT / 'setup.py').is_file()


def shared_dir(path: Optional[Union[str, Path]] = None) -> Path:
    """The shared test data folder: ``path``, else ``$POSEZOO_SHARED``, else (source checkout
    only) ``shared/`` beside the checkout, else :data:`UNSET_SHARED` (does not exist: file
    errors then name the variable to set)."""
    if path is not None:
        return Path(path)
    if os.environ.get('POSEZOO_SHARED'):
        return Path(os.environ['POSEZOO_SHARED'])
    return REPO_ROOT.parent / 'shared' if is_checkout() else UNSET_SHARED


def coco_mini_image(name: str = '000000350679.jpg',
                    shared: Optional[Union[str, Path]] = None) -> Path:
    """A COCO val2017 image of the shared coco-mini set (default: 9 people); may not exist."""
    return shared_dir(shared) / 'data' / 'coco-mini' / 'val2017' / name


def sample_image(name: str = '000000000802.jpg', split: str = 'val2017') -> Path:
    """An image of the bundled COCO sample (installed with the package)."""
    return SAMPLE_DATA / split / name
