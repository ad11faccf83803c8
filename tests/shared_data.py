"""Where the suite's test data outside the repository lives, and what a missing file does.

``../shared`` beside the checkout, or ``$POSEZOO_SHARED``. A missing file skips the test with a
message naming the path, unless ``POSEZOO_REQUIRE_SHARED=1`` (set by ``.ci/run``): then it fails.
Importable by the test helper modules (``tests/`` is on ``sys.path`` through its conftest); tests
use the fixtures of ``tests/conftest.py``.
"""
import os
from pathlib import Path
from typing import Optional, Union

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get('POSEZOO_SHARED', REPO_ROOT.parent / 'shared'))


def skip_or_fail(message: str) -> None:
    """Skip the test with ``message``, or fail it under ``POSEZOO_REQUIRE_SHARED=1`` (CI)."""
    if os.environ.get('POSEZOO_REQUIRE_SHARED') == '1':
        pytest.fail(message + '; POSEZOO_REQUIRE_SHARED=1 forbids skipping', pytrace=False)
    pytest.skip(message)


def require_data(path: Union[str, Path], what: str = 'test data') -> Path:
    """``path`` if it exists; otherwise :func:`skip_or_fail` naming it."""
    path = Path(path)
    if not path.exists():
        skip_or_fail(f'{what} not found: {path} (set POSEZOO_SHARED to the shared/ folder, '
                     'see README "Test data")')
    return path


def shared_file(env_var: Optional[str], *default: str) -> Path:
    """A path from ``$env_var`` if set, else ``SHARED/<default...>``; skipped when missing."""
    value = os.environ.get(env_var) if env_var else None
    path = Path(value) if value else SHARED.joinpath(*default)
    return require_data(path, f'${env_var}' if env_var else 'shared test data')
