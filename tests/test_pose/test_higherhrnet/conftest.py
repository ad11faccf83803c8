"""Fixtures of the HigherHRNet tests: the golden fixture of the official implementation."""
import os
from pathlib import Path
from typing import List

import pytest

from shared_data import require_data


@pytest.fixture(scope='session')
def hrnet_fixture(shared_dir: Path) -> Path:
    """The official HigherHRNet golden fixture (env ``POSEZOO_HIGHERHRNET_FIXTURE`` overrides)."""
    path = Path(os.environ.get('POSEZOO_HIGHERHRNET_FIXTURE',
                               shared_dir / 'fixtures' / 'higherhrnet-official'))
    for name in ('config.json', 'weights.pth', 'io.npz'):
        if not (path / name).exists():
            raise FileNotFoundError(f'HigherHRNet fixture file missing: {path / name}')
    return path


E2E_FOLDERS = ('higherhrnet-official-e2e', 'higherhrnet-official-e2e-more')


@pytest.fixture(scope='session')
def e2e_fixtures(shared_dir: Path) -> List[Path]:
    """The folders of the official end-to-end fixture: ``$POSEZOO_HIGHERHRNET_E2E_FIXTURE``
    (several separated by ``:``), else both shared folders (:data:`E2E_FOLDERS`)."""
    value = os.environ.get('POSEZOO_HIGHERHRNET_E2E_FIXTURE')
    paths = ([Path(p) for p in value.split(':') if p] if value else
             [shared_dir / 'fixtures' / name for name in E2E_FOLDERS])
    return [require_data(path, 'HigherHRNet e2e fixture') for path in paths]
