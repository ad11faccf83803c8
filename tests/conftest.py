"""Fixtures shared by the whole test suite: where the real data lives."""
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get('POSEZOO_SHARED', REPO_ROOT.parent / 'shared'))


def _require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f'test data not found: {path} (set POSEZOO_SHARED to the shared/ folder)')
    return path


@pytest.fixture(scope='session')
def repo_root() -> Path:
    """The posezoo checkout."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def coco_sample() -> Path:
    """The bundled sample: data/coco_sample (8 train / 5 val real COCO images)."""
    return _require(REPO_ROOT / 'data' / 'coco_sample')


@pytest.fixture(scope='session')
def coco_mini() -> Path:
    """shared/data/coco-mini: 159 real COCO 2017 images (80 train, 79 val) with keypoints."""
    return _require(SHARED / 'data' / 'coco-mini')


@pytest.fixture(scope='session')
def shared_dir() -> Path:
    """The shared/ folder beside the checkout (seeds, design, data, fixtures)."""
    return _require(SHARED)
