"""Fixtures of the HigherHRNet tests: the golden fixture of the official implementation."""
import os
from pathlib import Path

import pytest


@pytest.fixture(scope='session')
def hrnet_fixture(shared_dir: Path) -> Path:
    """The official HigherHRNet golden fixture (env ``POSEZOO_HIGHERHRNET_FIXTURE`` overrides)."""
    path = Path(os.environ.get('POSEZOO_HIGHERHRNET_FIXTURE',
                               shared_dir / 'fixtures' / 'higherhrnet-official'))
    for name in ('config.json', 'weights.pth', 'io.npz'):
        if not (path / name).exists():
            raise FileNotFoundError(f'HigherHRNet fixture file missing: {path / name}')
    return path
