"""Where a source checkout keeps its configs and where the shared data folder is.

The command-line tools and demos read their default configs and images from here instead of
computing ``../shared`` themselves. ``$POSEZOO_SHARED`` overrides the shared folder (as in
``tests/conftest.py``).
"""
import os
from pathlib import Path

#: The checkout (or, for an installed wheel, the folder that holds the ``posezoo`` package).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: The configs of the checkout.
CONFIGS = REPO_ROOT / 'configs'


def shared_dir() -> Path:
    """``$POSEZOO_SHARED``, else the ``shared/`` folder beside the checkout (may not exist)."""
    return Path(os.environ.get('POSEZOO_SHARED', REPO_ROOT.parent / 'shared'))


def coco_mini_image(name: str = '000000350679.jpg') -> Path:
    """A COCO val2017 image of the shared coco-mini set (default: 9 people); may not exist."""
    return shared_dir() / 'data' / 'coco-mini' / 'val2017' / name
