"""Fixtures shared by the whole test suite: where the real data lives.

Test data outside the repository (``../shared`` beside the checkout, or ``$POSEZOO_SHARED``) is
reached through the fixtures below. When it is missing the test is skipped with a message that
names the missing path, unless ``POSEZOO_REQUIRE_SHARED=1`` (set by ``.ci/run``): then it fails.
"""
import os
from pathlib import Path
from typing import Callable, Optional, Union

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get('POSEZOO_SHARED', REPO_ROOT.parent / 'shared'))


def require_data(path: Union[str, Path], what: str = 'test data') -> Path:
    """``path`` if it exists; otherwise skip (or fail under ``POSEZOO_REQUIRE_SHARED=1``)."""
    path = Path(path)
    if not path.exists():
        message = (f'{what} not found: {path} (set POSEZOO_SHARED to the shared/ folder, '
                   'see README "Test data")')
        if os.environ.get('POSEZOO_REQUIRE_SHARED') == '1':
            pytest.fail(message + '; POSEZOO_REQUIRE_SHARED=1 forbids skipping', pytrace=False)
        pytest.skip(message)
    return path


def shared_file(env_var: Optional[str], *default: str) -> Path:
    """A path from ``$env_var`` if set, else ``SHARED/<default...>``; skipped when missing."""
    value = os.environ.get(env_var) if env_var else None
    path = Path(value) if value else SHARED.joinpath(*default)
    return require_data(path, f'${env_var}' if env_var else 'shared test data')


@pytest.fixture(scope='session')
def repo_root() -> Path:
    """The posezoo checkout."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def coco_sample() -> Path:
    """The bundled sample: data/coco_sample (8 train / 5 val real COCO images)."""
    return require_data(REPO_ROOT / 'data' / 'coco_sample', 'bundled COCO sample')


@pytest.fixture(scope='session')
def coco_mini() -> Path:
    """shared/data/coco-mini: 159 real COCO 2017 images (80 train, 79 val) with keypoints."""
    return require_data(SHARED / 'data' / 'coco-mini', 'coco-mini')


@pytest.fixture(scope='session')
def shared_dir() -> Path:
    """The shared/ folder beside the checkout (seeds, design, data, fixtures)."""
    return require_data(SHARED, 'shared/ folder')


@pytest.fixture(scope='session')
def shared_path() -> Callable[..., Path]:
    """``shared_path(ENV_VAR, 'data', 'videos', 'x.mp4')``: env override, else under shared/;
    skipped (or failed under ``POSEZOO_REQUIRE_SHARED=1``) when missing."""
    return shared_file
